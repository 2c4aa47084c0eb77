import { describeError, reduceErrors } from 'c/handoffErrors';

describe('handoffErrors', () => {
  it('unpacks the Handoff payload an AuraHandledException carries', () => {
    const error = {
      status: 500,
      body: {
        message: JSON.stringify({
          handoffError: true,
          status: 422,
          code: 'VALIDATION_FAILED',
          message: 'The request is not valid.',
          requestId: 'req_1',
          retryable: false,
          fix: null,
          details: [{ field: 'crmRecordId', message: 'Must be a record id', fix: 'Reload the page.' }],
        }),
      },
    };
    expect(describeError(error)).toEqual({
      message: 'The request is not valid.',
      code: 'VALIDATION_FAILED',
      requestId: 'req_1',
      retryable: false,
      fix: null,
      details: [{ field: 'crmRecordId', message: 'Must be a record id', fix: 'Reload the page.' }],
    });
    expect(reduceErrors(error)).toEqual([
      'The request is not valid.',
      'crmRecordId: Must be a record id Fix: Reload the page.',
    ]);
  });

  it('reads the usual Apex, UI API and JS shapes', () => {
    expect(
      reduceErrors([
        { body: { message: 'Insufficient access' } },
        { body: [{ message: 'Row one' }, { message: 'Row two' }] },
        { body: { message: 'Invalid fields', output: { fieldErrors: { Name: [{ message: 'Required' }] } } } },
        new TypeError('x is undefined'),
        { statusText: 'Service Unavailable' },
        null,
      ]),
    ).toEqual([
      'Insufficient access',
      'Row one Row two',
      'Invalid fields',
      'Name: Required',
      'x is undefined',
      'Service Unavailable',
    ]);
  });

  it('does not mistake a JSON-looking message for a Handoff payload', () => {
    expect(reduceErrors({ body: { message: '{"weird": true}' } })).toEqual(['{"weird": true}']);
  });
});
