using Llmctl.Engine.Providers;
using Llmctl.Infra;
using Llmctl.Infra.Cli;
using Llmctl.Providers.Command;

// Providers by package. A type whose package has none here stops `up` with "no provider is registered for package …"
// and exit code 4; preview never needs a provider.
var providers = new ProviderRegistry()
    .Register("command", new CommandProvider());
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await new LlmctlApp(CliContext.FromProcess(providers)).RunAsync(args, cancel.Token);
