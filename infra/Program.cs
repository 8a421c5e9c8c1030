using Llmctl.Engine.Providers;
using Llmctl.Infra;
using Llmctl.Infra.Cli;

// Real providers (Kubernetes, commands over SSH, Tailscale) register here as they arrive; until then `up` against
// a real system stops with a clear "no provider is registered for package …" and exit code 4.
var providers = new ProviderRegistry();
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await new LlmctlApp(CliContext.FromProcess(providers)).RunAsync(args, cancel.Token);
