// Like sfdx-lwc-jest's stub, but records what was navigated to and generates a recognisable URL.
import { createTestWireAdapter } from '@salesforce/wire-service-jest-util';

export const CurrentPageReference = createTestWireAdapter(jest.fn());

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');
const navigated = [];

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference, replace) {
      navigated.push({ pageReference, replace });
    }
    [GenerateUrl](pageReference) {
      return Promise.resolve(`https://org.example.com/lightning/r/${pageReference.attributes.recordId}/view`);
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

export function getNavigations() {
  return navigated.slice();
}

export function resetNavigations() {
  navigated.length = 0;
}
