import { z } from "zod";

/**
 * The parameters of every handled method, checked at the protocol boundary so that a wrong type is answered
 * InvalidParams (or, for a notification, logged and dropped) instead of reaching the server's state: a didOpen
 * whose text is a number would otherwise become a document every later repair trips over.
 *
 * Each schema checks what the server reads and lets every other property through unchanged (loose objects), so
 * newer clients' extra fields are never a reason to refuse a message.
 */

/** LSP's uinteger: line and character numbers. */
const uinteger = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
/** LSP's integer: document versions. */
const integer = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 31 - 1);

const position = z.looseObject({ line: uinteger, character: uinteger });
const range = z.looseObject({ start: position, end: position });
const textDocumentIdentifier = z.looseObject({ uri: z.string() });
const workspaceFolder = z.looseObject({ uri: z.string(), name: z.string() });

const diagnostic = z.looseObject({
  range,
  message: z.string(),
  source: z.string().optional(),
  severity: z.number().int().optional(),
});

export const didOpenParams = z.looseObject({
  textDocument: z.looseObject({ uri: z.string(), languageId: z.string(), version: integer, text: z.string() }),
});

/** An incremental change (with a range) or a whole new text; a broken range is never read as a whole text. */
const contentChange = z.union([
  z.looseObject({ range, rangeLength: uinteger.optional(), text: z.string() }),
  z.looseObject({ range: z.undefined().optional(), text: z.string() }),
]);

export const didChangeParams = z.looseObject({
  textDocument: z.looseObject({ uri: z.string(), version: integer }),
  contentChanges: z.array(contentChange),
});

export const didCloseParams = z.looseObject({ textDocument: textDocumentIdentifier });

export const didSaveParams = z.looseObject({ textDocument: textDocumentIdentifier, text: z.string().optional() });

/**
 * The server re-reads its settings on this notification and never looks at the payload, so anything, or nothing,
 * is accepted: refusing a malformed payload would only lose the refresh.
 */
export const didChangeConfigurationParams = z.unknown();

export const didChangeWatchedFilesParams = z.looseObject({
  changes: z.array(z.looseObject({ uri: z.string(), type: z.union([z.literal(1), z.literal(2), z.literal(3)]) })),
});

export const didRenameFilesParams = z.looseObject({
  files: z.array(z.looseObject({ oldUri: z.string(), newUri: z.string() })),
});

export const didChangeWorkspaceFoldersParams = z.looseObject({
  event: z.looseObject({ added: z.array(workspaceFolder), removed: z.array(workspaceFolder) }),
});

/** `initialized` carries an empty object by definition; the server reads nothing from it. */
export const initializedParams = z.unknown();

export const codeActionParams = z.looseObject({
  textDocument: textDocumentIdentifier,
  range,
  context: z.looseObject({ diagnostics: z.array(diagnostic), only: z.array(z.string()).optional() }),
});

/** The action comes back as the server sent it; its data, when present, is the server's own RepairActionData. */
export const codeActionResolveParams = z.looseObject({
  title: z.string(),
  data: z
    .looseObject({ repairId: z.string().optional(), uri: z.string().optional(), range: range.optional() })
    .optional(),
});

/** Each command validates its own arguments (repair-commands.ts); here only the envelope is checked. */
export const executeCommandParams = z.looseObject({ command: z.string(), arguments: z.array(z.unknown()).optional() });

export const reportParams = z.looseObject({ jobId: z.string() });

/**
 * The parts of initialize the server reads. Capabilities are negotiated from whatever the object holds
 * (capabilities.ts compares flags with `=== true`); only the two lists it calls methods on are checked.
 */
export const initializeParams = z.looseObject({
  capabilities: z.looseObject({
    general: z.looseObject({ positionEncodings: z.array(z.string()).optional() }).optional(),
    textDocument: z
      .looseObject({
        codeAction: z
          .looseObject({ resolveSupport: z.looseObject({ properties: z.array(z.string()) }).optional() })
          .optional(),
      })
      .optional(),
  }),
  rootUri: z.string().nullish(),
  workspaceFolders: z.array(workspaceFolder).nullish(),
});

/** "textDocument.text: Invalid input: expected string, received number", for the error message and the log. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "params"}: ${issue.message}`)
    .join("; ");
}
