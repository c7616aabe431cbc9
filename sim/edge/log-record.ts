// What CloudFront's access log records of one response the edge model gave: status, result types, content
// type and the edge location that served it. Field meanings: CloudFront standard logging reference, "Log file
// fields" (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html).
import type { LoggedResponse } from '../../functions/domain/types.ts';
import type { EdgeResponse } from './types.ts';

// Which edge serves a viewer is CloudFront's choice (latency-based); the simulation assumes the usual POP
// of the viewer's country. Codes are IATA airport codes plus a number, as x-edge-location shows them.
const POP_BY_COUNTRY: Record<string, string> = {
  US: 'IAD89-P1',
  CA: 'YTO50-P1',
  MX: 'QRO51-P1',
  BR: 'GRU3-P1',
  GB: 'LHR61-P1',
  IE: 'DUB56-P1',
  DE: 'FRA56-P1',
  AT: 'VIE50-P1',
  CH: 'ZRH55-P1',
  FR: 'CDG50-P1',
  NL: 'AMS58-P1',
  ES: 'MAD56-P1',
  IT: 'MXP63-P1',
  PL: 'WAW51-P1',
  SE: 'ARN56-P1',
  JP: 'NRT57-P1',
  KR: 'ICN57-P1',
  IN: 'BOM78-P1',
  SG: 'SIN2-P1',
  AU: 'SYD62-P1',
  ZA: 'JNB50-P1',
};

export function edgeLocationFor(country: string): string {
  return POP_BY_COUNTRY[country.toUpperCase()] ?? 'IAD89-P1';
}

/** `x-edge-detailed-result-type` for an error, from the pipeline stage that decided it. */
function detailedError(trace: readonly string[]): string {
  if (trace.some((t) => t.startsWith('geo:'))) return 'ClientGeoBlocked';
  if (trace.some((t) => t.startsWith('method-not-allowed:'))) return 'InvalidRequestMethod';
  if (trace.some((t) => t.startsWith('viewer-protocol:https-only') || t.startsWith('lookup:no-distribution')))
    return 'InvalidRequest';
  // an error the origin answered, or a refusal without a category of its own (WAF, signed URLs)
  return 'Error';
}

export function logRecordOf(res: EdgeResponse, country: string): LoggedResponse {
  const xCache = (res.headers['x-cache'] ?? '').toLowerCase();
  const resultType = xCache.startsWith('functiongeneratedresponse')
    ? 'FunctionGeneratedResponse'
    : res.status >= 400
      ? 'Error'
      : res.status >= 300 && res.trace.some((t) => t.startsWith('viewer-protocol:redirect'))
        ? 'Redirect'
        : 'Miss';
  return {
    status: res.status,
    edgeLocation: edgeLocationFor(country),
    edgeResultType: resultType,
    edgeDetailedResultType: resultType === 'Error' ? detailedError(res.trace) : resultType,
    ...(res.headers['content-type'] ? { contentType: res.headers['content-type'] } : {}),
  };
}
