import { type OutboundPolicy, STRICT_OUTBOUND_POLICY } from '../../worker/connectors/outbound-guard';

/**
 * What the tests' deployment allows (ALLOW_LOOPBACK_CONNECTIONS=true): the emulators on 127.0.0.1. Passed
 * explicitly to connectors built outside the worker; a connector given nothing refuses them.
 */
export const EMULATOR_OUTBOUND: OutboundPolicy = { ...STRICT_OUTBOUND_POLICY, allowLoopback: true };
