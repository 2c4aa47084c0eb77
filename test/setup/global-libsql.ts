import type { TestProject } from 'vitest/node';
import { startEmulators } from '../emulators';
import { startSqld } from './sqld';

/** libsql project: a real sqld on loopback with the migrations applied, plus the emulators. */
export default async function setup(project: TestProject) {
  const [emulators, sqld] = await Promise.all([startEmulators(), startSqld()]);
  project.provide('emulators' as never, emulators.urls as never);
  project.provide('sqldUrl' as never, sqld.url as never);
  return async () => {
    await emulators.close();
    await sqld.close();
  };
}
