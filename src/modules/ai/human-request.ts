/**
 * Does the customer ask for a person? Words and phrases in English, German, French, Spanish, Italian,
 * Dutch and Portuguese; whole words only ("personal" is not "person"). Deliberately generous: a false
 * match costs a handover to humans, a missed one leaves a customer arguing with a bot.
 */
const PHRASES = [
  // English
  'humans?',
  'human beings?',
  'real (?:person|people)',
  'persons?',
  '(?:live |support |customer service )?agents?',
  'representatives?',
  'operators?',
  'supervisor',
  '(?:talk|speak|chat) (?:to|with) (?:someone|somebody|anyone|anybody)',
  // German
  'menschen?',
  'mitarbeiter(?:in|innen|n)?',
  '(?:kunden)?berater(?:in)?',
  'ansprechpartner(?:in)?',
  'echten? person',
  '(?:mit )?jemand(?:em)? (?:sprechen|reden)',
  // French
  'humains?',
  'conseill(?:er|ère)s?',
  'opérat(?:eur|rice)s?',
  'une personne',
  // Spanish, Italian, Portuguese
  'humanos?',
  'umano',
  'persona',
  'pessoa',
  'agentes?',
  'representantes?',
  'operador(?:a|es)?',
  'operatore',
  'atendente',
  // Dutch
  'medewerker',
];

const HUMAN_REQUEST = new RegExp(`(?<!\\p{L})(?:${PHRASES.join('|')})(?!\\p{L})`, 'iu');

export function asksForHuman(text: string): boolean {
  return HUMAN_REQUEST.test(text.replace(/\s+/g, ' '));
}
