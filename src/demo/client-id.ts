// The demo app's client_id, apart from its routes so the client service (and the CLI) can reserve
// it without loading them: a client added at run time under this id would be shadowed by the demo.
export const DEMO_CLIENT_ID = 'demo';
