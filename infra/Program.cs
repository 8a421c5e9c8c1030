using Llmctl.Infra;
using Llmctl.Infra.Cli;

// Providers are built per stack from its config (kubeconfig, Tailscale credentials), each on first use; the
// cluster state backend (kubernetes://<namespace>) is one more scheme for the backend factory.
Llmctl.Providers.Kubernetes.State.KubernetesBackend.Register();
StartupWarmup.StartFor(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await new LlmctlApp(CliContext.FromProcess((stack, liveDiff) => ProviderSetup.ForStack(stack, Environment.GetEnvironmentVariable, liveDiff)))
    .RunAsync(args, cancel.Token);
