// Shared pieces of the admin console pages: the page model (nav, CSRF), form parsing, and the
// Post/Redirect/Get pattern with AppErrors shown on the re-rendered page (status 4xx).
import express, { type Request, type Response } from 'express';
import { AppError, type FieldProblem } from '../../errors.ts';
import type { Live } from '../../live/index.ts';
import { checkCsrf, readForm } from '../../web/forms.ts';
import type { Render } from '../../web/views.ts';
import type { Admin } from '../index.ts';

export interface ConsoleDeps { admin: Admin; render: Render; defaultLocale: string; live: Live }

/** Console forms can be larger than the hosted pages' (template editors, config forms). */
export const consoleForm = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 300 });

/** What a refused change shows: a summary (role=alert) and the field problems. */
export interface ShownError { summary: string; fields: FieldProblem[]; code: string }

export function shownError(err: AppError, what = 'This page'): ShownError {
  const summary = err.code === 'stale'
    ? `${what} changed since you opened it; reload`
    : err.detail ?? err.code;
  return { summary, fields: err.fields, code: err.code };
}

/** The first field problem whose pointer passes the test. */
export const fieldError = (error: ShownError | undefined, test: (pointer: string) => boolean) =>
  error?.fields.find((f) => test(f.pointer))?.detail;

export function sendPage(deps: ConsoleDeps, res: Response, view: string, title: string, model: Record<string, unknown>, status = 200): void {
  res.status(status).type('html').send(deps.render(view, {
    locale: 'en', title, console: true, csrf: res.locals.adminCsrf, actor: res.locals.admin?.actor, ...model,
  }));
}

/** The posted form, CSRF-checked against the console session. */
export function postedForm(req: Request, res: Response): Record<string, string> {
  const form = readForm(req.body);
  checkCsrf(form, res.locals.adminCsrf ?? '');
  return form;
}

export const ifMatchOf = (form: Record<string, string>) => (form.rev ? `"${form.rev}"` : undefined);
export const actorOf = (res: Response) => res.locals.admin!.actor;

/**
 * Runs a console change: success → 303 to `next`; an AppError below 500 → `reshow(error)`
 * (the page re-rendered with the error, at the error's status).
 */
export async function change(res: Response, run: () => Promise<string>, reshow: (error: AppError) => Promise<void>): Promise<void> {
  let next: string;
  try {
    next = await run();
  } catch (err) {
    if (err instanceof AppError && err.status < 500 && err.code !== 'csrf') return reshow(err);
    throw err;
  }
  res.redirect(303, next);
}

export const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
