import { api, LightningElement } from 'lwc';

// Sandbox stand-in for lightning-quick-action-panel: the header, body and footer of the action modal.
export default class QuickActionPanel extends LightningElement {
  @api header;
}
