/** Settings resolution in one place: raw client or file settings in, defaults plus clear messages out. */
import { SEVERITIES, type Severity } from "./types";

export type RuleSetting = Severity | "off" | "default";

export interface Config {
  rules: Record<string, RuleSetting>;
  wideModelThreshold: number;
  maxFileBytes: number;
}

export const DEFAULT_CONFIG: Config = { rules: {}, wideModelThreshold: 8, maxFileBytes: 2 * 1024 * 1024 };

export interface ResolvedConfig {
  config: Config;
  /** One message per bad key, naming it. */
  problems: string[];
}

export function resolveConfig(raw: unknown, knownRules: readonly string[], base: Config = DEFAULT_CONFIG): ResolvedConfig {
  const problems: string[] = [];
  const config: Config = { rules: { ...base.rules }, wideModelThreshold: base.wideModelThreshold, maxFileBytes: base.maxFileBytes };
  if (raw === undefined || raw === null) return { config, problems };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    problems.push("settings: expected an object; using defaults");
    return { config, problems };
  }
  const r = raw as Record<string, unknown>;
  if (r.rules !== undefined) {
    if (typeof r.rules !== "object" || r.rules === null || Array.isArray(r.rules)) problems.push("rules: expected an object mapping rule ids to off/error/warning/information/hint");
    else {
      for (const [id, value] of Object.entries(r.rules as Record<string, unknown>)) {
        if (!knownRules.includes(id)) problems.push(`rules.${id}: unknown rule id (known: ${knownRules.join(", ")})`);
        else if (value === "off" || value === "default" || (typeof value === "string" && (SEVERITIES as readonly string[]).includes(value))) config.rules[id] = value as RuleSetting;
        else if (value === false) config.rules[id] = "off";
        else if (value === true) config.rules[id] = "default";
        else problems.push(`rules.${id}: expected one of off, default, error, warning, information, hint`);
      }
    }
  }
  if (r.wideModelThreshold !== undefined) {
    const v = r.wideModelThreshold;
    if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 1000) config.wideModelThreshold = v;
    else problems.push("wideModelThreshold: expected a whole number from 1 to 1000; using 8");
  }
  if (r.maxFileSize !== undefined) {
    const v = r.maxFileSize;
    if (typeof v === "number" && v > 0) config.maxFileBytes = Math.floor(v);
    else problems.push("maxFileSize: expected a positive number of bytes; using 2 MB");
  }
  return { config, problems };
}

export function severityFor(config: Config, ruleId: string, fallback: Severity): Severity | null {
  const s = config.rules[ruleId];
  if (s === "off") return null;
  if (!s || s === "default") return fallback;
  return s;
}
