// Sandbox stand-in: record pages are the stand-in record page with ?recordId=.
const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

function urlFor(pageReference) {
  const attributes = pageReference?.attributes || {};
  if (pageReference && pageReference.type === 'standard__recordPage' && attributes.recordId) {
    const url = new URL(window.location.href);
    url.search = `?recordId=${encodeURIComponent(attributes.recordId)}`;
    url.hash = '';
    return url.toString();
  }
  return window.location.href;
}

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference, replace) {
      const url = urlFor(pageReference);
      if (replace) {
        window.location.replace(url);
      } else {
        window.location.assign(url);
      }
    }
    [GenerateUrl](pageReference) {
      return Promise.resolve(urlFor(pageReference));
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

export const CurrentPageReference = Symbol('CurrentPageReference');
