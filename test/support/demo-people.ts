/** The demo firm's people as Microsoft Entra knows them (object ids), shared by the sandbox and the tests. */
export const DEMO_PEOPLE = {
  ava: {
    aadObjectId: 'a7a0c0e1-0000-4000-8000-00000000a7a0',
    name: 'Ava Chen',
    email: 'ava.chen@lumenpartners.example',
  },
  dev: {
    aadObjectId: 'de70c0e1-0000-4000-8000-00000000de70',
    name: 'Dev Patel',
    email: 'dev.patel@lumenpartners.example',
  },
  emma: {
    aadObjectId: 'e3a0c0e1-0000-4000-8000-00000000e3a0',
    name: 'Emma Schulz',
    email: 'emma.schulz@lumenpartners.example',
  },
};
