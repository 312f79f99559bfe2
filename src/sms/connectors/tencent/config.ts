// `tencent` connector config: Tencent Cloud SMS (API 3.0 SendSms, 2021-01-11). Tencent only sends
// approved templates, so the rendered message goes out as the template's ONLY parameter: the template
// registered with Tencent must be exactly `{1}`; its SmsSdkAppId, TemplateId and SignName are set here.
import { z } from 'zod';

export const configSchema = z.object({
  type: z.literal('tencent'),
  secretId: z.string().min(1).max(128),
  /** Secret: never logged, never shown. */
  secretKey: z.string().min(1),
  /** The SMS application's SdkAppId, e.g. 1400006666. */
  smsSdkAppId: z.string().regex(/^\d+$/, 'must be the numeric SdkAppId'),
  /** Approved template id; its text must be just `{1}`. */
  templateId: z.string().regex(/^\d+$/, 'must be the numeric template id'),
  /** Approved signature (签名); required by Tencent for mainland China numbers, optional otherwise. */
  signName: z.string().min(1).max(100).optional(),
  /** X-TC-Region: ap-guangzhou, ap-beijing or ap-nanjing (ap-singapore etc. on sms.intl.tencentcloudapi.com). */
  region: z.string().regex(/^[a-z]+(-[a-z0-9]+)+$/, 'must be a region such as ap-guangzhou').default('ap-guangzhou'),
  /** Base URL of the API (default https://sms.tencentcloudapi.com; tests point it at a local fake). */
  apiBaseUrl: z.string().url().optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
}).strict();
export type TencentConfig = z.infer<typeof configSchema>;
export const secretKeys = ['secretKey'] as const;
