/**
 * The VS Code client: starts the language server, an output channel, a restart command, and the two review
 * commands, which only ask the server (workspace/executeCommand). Nothing else.
 */
import * as path from "path";
import * as vscode from "vscode";
import { ExecuteCommandRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

/** The server's command for each client command (server/src/lsp/review.ts). */
const REVIEW_COMMANDS: Record<string, string> = {
  "djangoOrmHints.checkWorkspace": "djangoOrmHints.server.checkWorkspace",
  "djangoOrmHints.checkChangedFiles": "djangoOrmHints.server.checkChangedFiles",
};

interface ReviewSummary {
  files: number;
  hints: number;
  filesWithHints: number;
  cancelled: boolean;
}

async function review(command: string): Promise<ReviewSummary | undefined> {
  if (!client) return undefined;
  try {
    const s = (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: [] })) as ReviewSummary | null;
    if (s) void vscode.window.setStatusBarMessage(`Django ORM Hints: ${s.cancelled ? "cancelled; " : ""}${s.hints} hint${s.hints === 1 ? "" : "s"} in ${s.filesWithHints} of ${s.files} file${s.files === 1 ? "" : "s"}`, 8000);
    return s ?? undefined;
  } catch (e) {
    output?.appendLine(`${command} failed: ${String(e)}`);
    void vscode.window.showErrorMessage(`Django ORM Hints: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath(path.join("dist", "cli.js"));
  const serverOptions: ServerOptions = {
    run: { module, args: ["lsp"], transport: TransportKind.ipc },
    debug: { module, args: ["lsp"], transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6019"] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "python" }, { scheme: "untitled", language: "python" }],
    synchronize: { configurationSection: "djangoOrmHints" },
    outputChannel: output,
  };
  return new LanguageClient("djangoOrmHints", "Django ORM Hints", serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<{ activationMs: number }> {
  const started = Date.now();
  output = vscode.window.createOutputChannel("Django ORM Hints");
  context.subscriptions.push(output);
  client = createClient(context);
  context.subscriptions.push(
    vscode.commands.registerCommand("djangoOrmHints.restartServer", async () => {
      output?.appendLine("restarting the server");
      await client?.restart();
    }),
    vscode.commands.registerCommand("djangoOrmHints.showOutput", () => output?.show(true)),
    ...Object.entries(REVIEW_COMMANDS).map(([id, serverCommand]) => vscode.commands.registerCommand(id, () => review(serverCommand))),
    vscode.commands.registerCommand("djangoOrmHints.openDocs", (url?: string) => {
      if (url) void vscode.env.openExternal(vscode.Uri.parse(url));
    }),
  );
  // Start without awaiting: activation stays fast, diagnostics follow as soon as the server is up.
  void client.start().catch((e: unknown) => output?.appendLine(`server failed to start: ${String(e)}`));
  const activationMs = Date.now() - started;
  output.appendLine(`activated in ${activationMs} ms`);
  return { activationMs };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
