/** The VS Code client: starts the language server, an output channel and a restart command. Nothing else. */
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

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
