import { DurableObject } from 'cloudflare:workers';
import { getDb } from '../db/client';
import { runJobSlice } from '../domain/exceptions/jobs/run-job';
import type { Env } from '../env';

/**
 * The runner of one bulk exception job. Its state lives in the database (the job row, its frozen items and
 * their outcomes), so the object only remembers which job it runs and keeps an alarm: each alarm works a
 * slice of pages and sets the next. An invocation that dies mid-page loses nothing (the page's batch is
 * atomic and re-runs from the job's cursor); the alarm fires again, and the cron kicks a job whose row stops
 * moving.
 */
export class ExceptionJobRunner extends DurableObject<Env> {
  async start(jobId: string): Promise<void> {
    await this.ctx.storage.put('jobId', jobId);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  override async alarm(): Promise<void> {
    const jobId = await this.ctx.storage.get<string>('jobId');
    if (!jobId) return;
    const out = await runJobSlice(this.env, getDb(this.env), jobId);
    if (out.next === 'again') await this.ctx.storage.setAlarm(Date.now());
    else if (out.next === 'later') await this.ctx.storage.setAlarm(Date.now() + out.delayMs);
  }
}
