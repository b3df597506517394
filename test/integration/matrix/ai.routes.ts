/**
 * Authorization matrix rows for the Message Assistant. Administrators and managers of at least one
 * inbox may draft; team members and users without an inbox role get 403. The assistant is switched
 * on in both accounts first (another account's administrator drafts for their own account). The
 * matrix stack has no OPENAI_API_KEY, so an authorised call gets as far as the model and answers
 * 503 naming the key (message-assistant.spec.ts covers the drafts themselves).
 */
import { type MatrixFixture, type MatrixRoute } from './fixture';

async function assistantOn(fx: MatrixFixture): Promise<void> {
  for (const role of ['admin', 'otherAccount'] as const) {
    const res = await fx.as(role, 'PATCH', '/api/v1/account', { settings: { messageAssistantEnabled: true } });
    if (res.status !== 200) throw new Error(`enabling the Message Assistant failed: ${JSON.stringify(res.body)}`);
  }
}

export const aiRoutes: MatrixRoute[] = [
  {
    route: 'POST /api/v1/message-assistant/drafts',
    request: async (fx) => {
      await assistantOn(fx);
      return { path: '/api/v1/message-assistant/drafts', body: { topic: 'Spring sale', tone: 'friendly', campaignType: 'promotional', channel: 'sms' } };
    },
    expected: { anonymous: 401, otherAccount: 503, nonMember: 403, member: 403, manager: 503, admin: 503 },
  },
];
