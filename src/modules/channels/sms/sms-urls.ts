/**
 * The URLs Twilio calls, built from PUBLIC_URL (the address Twilio reaches this API at). Twilio signs
 * the exact URL it called, so signatures are checked against PUBLIC_URL + the request path and query:
 * behind a proxy, PUBLIC_URL must be the outside address.
 */
export function smsInboundUrl(publicUrl: string, inboxId: string): string {
  return `${publicUrl}/webhooks/twilio/sms/${inboxId}`;
}

/** Carries our message id, so a callback that overtakes the commit of the provider SID still finds its message. */
export function smsStatusCallbackUrl(publicUrl: string, inboxId: string, messageId?: string): string {
  return `${publicUrl}/webhooks/twilio/sms/${inboxId}/status${messageId ? `?messageId=${encodeURIComponent(messageId)}` : ''}`;
}
