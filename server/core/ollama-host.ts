/** The Ollama CLI's default address, used when neither the setting nor OLLAMA_HOST says otherwise. */
export const DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434";

/**
 * Normalises a host the way the ollama CLI reads OLLAMA_HOST: a bare host gets http:// and port 11434, a bare
 * ":port" means localhost, and 0.0.0.0 (a listen address) is dialled as 127.0.0.1.
 */
export function normaliseOllamaHost(value: string): string {
  let host = value.trim();
  if (host === "") return DEFAULT_OLLAMA_HOST;
  if (host.startsWith(":")) host = `127.0.0.1${host}`;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) host = `http://${host}`;
  try {
    const url = new URL(host);
    if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
    if (url.port === "" && url.protocol === "http:" && !/:\d+$/.test(url.host)) url.port = "11434";
    return url.toString().replace(/\/$/, "");
  } catch {
    return DEFAULT_OLLAMA_HOST;
  }
}

/**
 * The Ollama host to use: the `ollama.host` setting, else OLLAMA_HOST (the npm client does not read it, the CLI
 * does, so we read it for parity), else the default.
 */
export function resolveOllamaHost(setting: string, env: NodeJS.ProcessEnv = process.env): string {
  if (setting.trim() !== "") return normaliseOllamaHost(setting);
  const fromEnv = env.OLLAMA_HOST;
  if (fromEnv && fromEnv.trim() !== "") return normaliseOllamaHost(fromEnv);
  return DEFAULT_OLLAMA_HOST;
}
