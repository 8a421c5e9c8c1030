using System.Text.Json.Nodes;
using Llmctl.Components.Gpu;
using Llmctl.Components.Models;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.Policy;

namespace Llmctl.Policies.Platform;

/// <summary>
/// Seed 002's maintenance trap: a device-plugin update re-registers the GPU while a recreated model pod asks for it,
/// and the pod fails with UnexpectedAdmissionError. So a plan that updates, replaces or removes the GPU plumbing (a
/// resource carrying <see cref="DevicePluginRelease"/>, <see cref="RuntimeHandler"/> or <see cref="GpuTuning"/>, or
/// a child of one) must not also create, update or replace a GPU model runtime (a lane workload holding GPUs).
/// Creating the plumbing is not maintenance: a fresh install orders lanes after the plugins they depend on.
/// The stack allows one combined run with <c>maintenance-window: {allowCombinedChanges: true}</c>.
/// </summary>
public sealed class MaintenanceWindow : IPlanPolicy, IConfigurablePolicy
{
    public const string PolicyName = "maintenance-window";

    public string Name => PolicyName;
    public string Description => "The GPU device plugin (or runtime, or GPU tuning) and a GPU model runtime never change in the same run.";
    public EnforcementLevel DefaultEnforcement => EnforcementLevel.Mandatory;
    public bool AllowCombinedChanges { get; init; }

    public IReadOnlyCollection<string> OptionNames { get; } = ["allowCombinedChanges"];

    public IPolicy Configure(JsonObject options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetPropertyValue("allowCombinedChanges", out var node)) return this;
        return node is JsonValue v && v.TryGetValue<bool>(out var allow)
            ? new MaintenanceWindow { AllowCombinedChanges = allow }
            : throw new PolicySettingsException($"{PolicyName}.allowCombinedChanges", $"'{node?.ToJsonString()}' is not true or false");
    }

    public IEnumerable<PolicyFinding> Validate(Plan plan, StackContext stack)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stack);
        if (AllowCombinedChanges) yield break;
        var plumbing = new List<Step>();
        var runtimes = new List<Step>();
        foreach (var step in plan.Steps)
        {
            if (stack.Find(step.Urn) is not { } resource) continue;
            if (step.Op is StepOp.Update or StepOp.Replace or StepOp.Delete && IsPlumbing(resource)) plumbing.Add(step);
            else if (step.Op is StepOp.Create or StepOp.Update or StepOp.Replace && IsGpuRuntime(resource)) runtimes.Add(step);
        }
        if (plumbing.Count == 0 || runtimes.Count == 0) yield break;
        yield return ($"this run changes the GPU plumbing ({Names(plumbing)}) and a GPU model runtime ({Names(runtimes)}) together; the plugin may "
            + "unregister the GPU while the model pod is admitted (UnexpectedAdmissionError). Ship the plumbing first, wait until the node "
            + "reports its GPUs allocatable again, then the runtime in a later run — or allow it once with "
            + $"llmctl:policies: {{{PolicyName}: {{allowCombinedChanges: true}}}} and remove that after the run",
            runtimes[0].Urn);
    }

    private static bool IsPlumbing(Resource resource)
    {
        for (Resource? r = resource; r is not null; r = r.Parent)
        {
            if (r.Annotations.OfType<DevicePluginRelease>().Any() || r.Annotations.OfType<RuntimeHandler>().Any() || r.Annotations.OfType<GpuTuning>().Any()) return true;
        }
        return false;
    }

    private static bool IsGpuRuntime(Resource resource) =>
        resource.Annotations.Find<ServingLane>() is not null && resource.Annotations.Find<GpuWorkload>() is not null;

    private static string Names(List<Step> steps) => string.Join(", ", steps.Select(s => $"{s.Op.Json()} {s.Urn.Name}"));
}
