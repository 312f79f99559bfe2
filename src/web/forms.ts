// Form parsing for hosted pages: urlencoded only, small bodies, strings only, CSRF checked.
import { timingSafeEqual } from 'node:crypto';
import express from 'express';
import { AppError } from '../errors.ts';

export const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });

const MAX_FIELD = 4096;

/** Keeps only string fields; arrays, objects or oversized values are refused with 400. */
export function readForm(body: unknown): Record<string, string> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new AppError(400, 'invalid_input');
  const form: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(body)) {
    if (typeof value !== 'string' || value.length > MAX_FIELD) throw new AppError(400, 'invalid_input');
    form[key] = value;
  }
  return form;
}

export function checkCsrf(form: Record<string, string>, expected: string): void {
  const got = Buffer.from(form.csrf ?? '');
  const want = Buffer.from(expected);
  if (got.length !== want.length || !timingSafeEqual(got, want)) throw new AppError(403, 'csrf');
}
