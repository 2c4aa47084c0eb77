// Entry of the sandbox bundle. Lightning Experience renders components with synthetic shadow so that the
// global SLDS stylesheet styles them; the sandbox does the same.
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import RecordPage from 'sandbox/recordPage';

const root = document.getElementById('app');
root.replaceChildren(createElement('sandbox-record-page', { is: RecordPage }));
