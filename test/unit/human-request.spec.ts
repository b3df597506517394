import { asksForHuman } from '../../src/modules/ai/human-request';

describe('asksForHuman', () => {
  test.each([
    'I want to talk to a human',
    'Can I speak to a real person please?',
    'AGENT',
    'Give me a representative.',
    'connect me to an operator',
    'let me talk to someone',
    'I would like to chat with somebody',
    'Ich möchte mit einem Menschen sprechen',
    'Bitte einen Mitarbeiter!',
    'Kann ich mit einer Mitarbeiterin reden?',
    'Ich will mit jemandem sprechen',
    'Je veux parler à un conseiller',
    'Quiero hablar con un humano',
    'Vorrei parlare con un operatore',
    'Ik wil een medewerker spreken',
  ])('asks for a human: %s', (text) => {
    expect(asksForHuman(text)).toBe(true);
  });

  test.each([
    'Where is my order 123?',
    'My personal details are wrong',
    'The humanitarian donation receipt is missing',
    'Please update my address',
    'Wo ist meine Bestellung?',
    '',
  ])('does not ask for a human: %s', (text) => {
    expect(asksForHuman(text)).toBe(false);
  });
});
