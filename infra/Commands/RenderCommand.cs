using System.CommandLine;
using System.Text.Json.Nodes;
using Llmctl.Components.Kubernetes.Render;
using Llmctl.Engine.Model;
using Llmctl.Engine.State;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Commands;

/// <summary>
/// <c>llmctl render --out &lt;dir&gt;</c>: every Kubernetes object of the stack as YAML, one file per object in a folder
/// per namespace plus a kustomization.yaml, byte-identical across runs — for Argo CD, Flux or k3s's manifests folder.
/// Secrets are written only as stubs naming their keys.
/// </summary>
internal static class RenderCommand
{
    public static Command Build(CliContext cli)
    {
        var outDir = new Option<string>("--out", "-o") { Description = "The folder to write (created if missing)", Required = true };
        var expandCharts = new Option<bool>("--expand-charts")
        {
            Description = "Write the objects each Helm release renders (helm template from the verified chart cache) instead of its HelmChart, for clusters without k3s's helm-controller",
        };
        var command = new Command("render", "Write the stack's Kubernetes objects as YAML for GitOps (Argo CD, Flux, k3s manifests)") { outDir, expandCharts };
        command.SetAction(async (parse, ct) =>
        {
            var dir = Path.GetFullPath(Path.Combine(StackWorkspace.Directory(cli, parse), parse.GetValue(outDir)!));
            if (File.Exists(dir))
            {
                throw new CliException(ExitCodes.ConfigOrUsage, $"--out {parse.GetValue(outDir)}: '{dir}' is a file; render writes a folder of manifests, so name a folder (it is created if missing)");
            }
            var ws = StackWorkspace.Open(cli, parse, readsModelLocks: true);
            var desired = ws.Compose(isPreview: true);
            var expand = parse.GetValue(expandCharts);
            if (expand) await ChartSetup.ExpandAsync(ws, desired, ct);
            // Values known only after apply come from the checkpoint when the stack has been deployed.
            var checkpoint = await ws.LoadCheckpointAsync(ct);
            RenderResult result;
            try
            {
                result = ManifestRenderer.Render(desired, dir, new CheckpointOutputs(checkpoint), expand);
            }
            catch (RenderException ex)
            {
                throw new CliException(ExitCodes.Error, ex.Message);
            }
            foreach (var warning in result.Warnings) cli.Err.WriteLine($"warning: {warning}");
            foreach (var skipped in result.Skipped) cli.Out.WriteLine($"skipped {skipped}");
            cli.Out.WriteLine($"Wrote {result.Manifests.Count} manifest(s) and {result.SecretStubs.Count} secret stub(s) to {dir}"
                + (result.Removed.Count > 0 ? $"; removed {result.Removed.Count} stale file(s)" : ""));
            return ExitCodes.Ok;
        });
        return command;
    }

    private sealed class CheckpointOutputs(StackCheckpoint checkpoint) : IOutputSource
    {
        private readonly Dictionary<string, JsonObject> _outputs = checkpoint.Resources.ToDictionary(r => r.Urn.Value, r => r.Outputs, StringComparer.Ordinal);

        public JsonObject? OutputsOf(Resource resource) => _outputs.GetValueOrDefault(resource.Urn.Value);
    }
}
