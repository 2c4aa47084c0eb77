import type { TestProject } from 'vitest/node';
import { startEmulators } from '../emulators';

/** Starts the vendor emulators in Node (one server per vendor) and hands their URLs to the workers. */
export default async function setup(project: TestProject) {
  const emulators = await startEmulators();
  project.provide('emulators' as never, emulators.urls as never);
  return () => emulators.close();
}
