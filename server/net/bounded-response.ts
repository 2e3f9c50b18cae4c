/**
 * Response bodies read from the network are bounded: a host that answers with hundreds of megabytes (a wrong
 * ollama.host, a proxy's error page gone wrong, a hostile server) must not be buffered into the server's memory.
 * The bound is checked on the declared Content-Length before reading and on the bytes actually read, and the
 * connection is cancelled as soon as it is crossed.
 */

/** Largest answer read from an Ollama host: a batch of 64 embeddings of 4,096 dimensions is about 6 MB as JSON. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export class ResponseTooLargeError extends Error {
  constructor(
    readonly url: string,
    readonly limitBytes: number,
  ) {
    super(
      `the answer from ${url} is larger than ${Math.round(limitBytes / (1024 * 1024))} MB; it was not read further`,
    );
    this.name = "ResponseTooLargeError";
  }
}

function urlOf(response: Response): string {
  try {
    const url = new URL(response.url);
    // The userinfo of a URL is a credential: never put it in a message.
    url.username = "";
    url.password = "";
    return `${url.origin}${url.pathname}`;
  } catch {
    return "the host";
  }
}

/**
 * The same response with a body that fails with ResponseTooLargeError once more than `limitBytes` arrive.
 * Rejects at once, without reading, when the declared length is already over the limit.
 */
export async function boundedResponse(response: Response, limitBytes = MAX_RESPONSE_BYTES): Promise<Response> {
  const url = urlOf(response);
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limitBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLargeError(url, limitBytes);
  }
  if (!response.body) return response;
  let received = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      // Erroring the transform makes the pipe cancel the source, which closes the connection.
      if (received > limitBytes) controller.error(new ResponseTooLargeError(url, limitBytes));
      else controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(counter), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
