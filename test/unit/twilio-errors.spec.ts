import { isTransientTwilioError, twilioErrorText } from '../../src/modules/channels/sms/twilio-sms.sender';

test.each([
  [{ status: 500, code: 20500 }, true],
  [{ status: 503 }, true],
  [{ status: 429, code: 20429 }, true],
  [Object.assign(new Error('timeout of 15000ms exceeded'), { code: 'ECONNABORTED' }), true],
  [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
  [{ status: 400, code: 21211 }, false],
  [{ status: 400, code: 21610 }, false],
  [{ status: 401, code: 20003 }, false],
  [{ status: 404, code: 20404 }, false],
])('%j transient: %s', (err, transient) => {
  expect(isTransientTwilioError(err)).toBe(transient);
});

test("the provider's reason keeps its code", () => {
  expect(twilioErrorText({ code: 21211, message: "The 'To' number 123 is not a valid phone number." })).toBe(
    "Twilio error 21211: The 'To' number 123 is not a valid phone number.",
  );
  expect(twilioErrorText({ code: null, message: '' })).toBe('Twilio error: no reason given');
});
