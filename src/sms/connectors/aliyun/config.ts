// `aliyun` connector config: Alibaba Cloud SMS (dysmsapi SendSms). Aliyun only sends approved templates,
// so the rendered message goes out as ONE template variable: the template registered with Aliyun must
// be exactly `${content}` (or `${<bodyParam>}`), and its SignName and TemplateCode are set here.
import { z } from 'zod';

export const configSchema = z.object({
  type: z.literal('aliyun'),
  accessKeyId: z.string().min(1).max(128),
  /** Secret: never logged, never shown. */
  accessKeySecret: z.string().min(1),
  /** Approved signature name (签名), e.g. the company or app name. */
  signName: z.string().min(1).max(100),
  /** Approved template code, e.g. SMS_123456789; its text must be just `${content}` (see bodyParam). */
  templateCode: z.string().regex(/^SMS_\d+$/, 'must look like SMS_ followed by digits'),
  /** The template variable that receives the whole rendered message. */
  bodyParam: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a template variable name').default('content'),
  regionId: z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/, 'must be a region id such as cn-hangzhou').default('cn-hangzhou'),
  /** Base URL of the SendSms endpoint (default https://dysmsapi.aliyuncs.com; tests point it at a local fake). */
  apiBaseUrl: z.string().url().optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
}).strict();
export type AliyunConfig = z.infer<typeof configSchema>;
export const secretKeys = ['accessKeySecret'] as const;
