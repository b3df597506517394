import {
  accountValues,
  BUILTIN_VARIABLES,
  contactValues,
  findUnknownVariables,
  parsePlaceholders,
  renderTemplate,
  splitName,
  variableNames,
} from '../../src/modules/variables/template';

const known = new Set([...BUILTIN_VARIABLES.map((v) => v.name), 'contact.loyalty_tier']);

describe('parsing', () => {
  test('finds placeholders, with or without spaces inside the braces', () => {
    expect(parsePlaceholders('Hi {{contact.first_name}} from {{ account.company_name }}!')).toEqual([
      { name: 'contact.first_name', raw: '{{contact.first_name}}', index: 3 },
      { name: 'account.company_name', raw: '{{ account.company_name }}', index: 31 },
    ]);
  });

  test('distinct names in order of first use; plain text has none', () => {
    expect(variableNames('{{a.b}} {{c.d}} {{ a.b }}')).toEqual(['a.b', 'c.d']);
    expect(variableNames('no variables here, {not one}, { {nor this} }')).toEqual([]);
  });
});

describe('findUnknownVariables', () => {
  test('known built-ins and custom attributes pass', () => {
    expect(findUnknownVariables('{{contact.first_name}} {{ contact.loyalty_tier }} {{account.phone}}', known)).toEqual([]);
  });

  test('names the unknown ones once each, in order', () => {
    expect(findUnknownVariables('{{contact.shoe_size}} {{contact.name}} {{ foo }} {{contact.shoe_size}}', known)).toEqual(['contact.shoe_size', 'foo']);
  });

  test('is case-sensitive and flags empty placeholders', () => {
    expect(findUnknownVariables('{{Contact.Name}} {{}}', known)).toEqual(['Contact.Name', '']);
  });
});

describe('renderTemplate', () => {
  test('replaces values, keeps the rest of the text exactly', () => {
    expect(renderTemplate('Hi {{contact.first_name}}, welcome to {{ account.company_name }}.', { 'contact.first_name': 'Jane', 'account.company_name': 'Acme' }, {})).toBe(
      'Hi Jane, welcome to Acme.',
    );
  });

  test('a missing, null or blank value uses the default, else the empty string', () => {
    const defaults = { 'contact.first_name': 'there' };
    expect(renderTemplate('Hi {{contact.first_name}}!', {}, defaults)).toBe('Hi there!');
    expect(renderTemplate('Hi {{contact.first_name}}!', { 'contact.first_name': null }, defaults)).toBe('Hi there!');
    expect(renderTemplate('Hi {{contact.first_name}}!', { 'contact.first_name': '  ' }, defaults)).toBe('Hi there!');
    expect(renderTemplate('Hi {{contact.last_name}}!', { 'contact.first_name': 'Jane' }, defaults)).toBe('Hi !');
  });

  test('values are inserted literally (no second pass, no $-patterns)', () => {
    expect(renderTemplate('{{contact.name}}', { 'contact.name': '{{account.email}} $& $1' }, { 'account.email': 'x' })).toBe('{{account.email}} $& $1');
  });

  test('inherited object keys are not values', () => {
    expect(renderTemplate('[{{constructor}}] [{{toString}}]', {}, {})).toBe('[] []');
  });
});

describe('values', () => {
  test('splitName: first word and the rest', () => {
    expect(splitName('Jane')).toEqual({ first: 'Jane', last: null });
    expect(splitName('  Jane   Mary Doe ')).toEqual({ first: 'Jane', last: 'Mary Doe' });
    expect(splitName(null)).toEqual({ first: null, last: null });
    expect(splitName('   ')).toEqual({ first: null, last: null });
  });

  test('contact and account values, custom attributes by key', () => {
    const values = {
      ...accountValues({ companyName: 'Acme', address: null, email: 'hi@acme.test', phone: null }),
      ...contactValues({ name: 'Jane Doe', email: null, phone: '+4912345', attributes: { loyalty_tier: 'gold', other: 'x' } }, ['loyalty_tier', 'missing']),
    };
    expect(values).toEqual({
      'account.company_name': 'Acme',
      'account.address': null,
      'account.email': 'hi@acme.test',
      'account.phone': null,
      'contact.name': 'Jane Doe',
      'contact.first_name': 'Jane',
      'contact.last_name': 'Doe',
      'contact.email': null,
      'contact.phone': '+4912345',
      'contact.loyalty_tier': 'gold',
      'contact.missing': null,
    });
  });

  test('no contact: every contact variable falls back to its default', () => {
    const text = 'Hi {{contact.first_name}} ({{contact.email}})';
    expect(renderTemplate(text, contactValues(null), { 'contact.first_name': 'there', 'contact.email': 'no email' })).toBe('Hi there (no email)');
  });
});
