using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Planning;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Tests.Output;

/// <summary>Hand-built plans for the renderer tests.</summary>
internal static class Plans
{
    public const string Secret = "sk-live-do-not-print";
    public static readonly Urn Root = Urn.Create("homelab", "llm-platform", null, StackResource.TypeToken, "llm-platform-homelab");

    public static Urn UrnOf(string type, string name, Urn? parent = null) =>
        Urn.Create("homelab", "llm-platform", parent is { } p && p != Root ? p.QualifiedType : null, type, name);

    public static ResourceState State(Urn urn, JsonObject? inputs = null, Urn? parent = null, bool custom = true) => new()
    {
        Urn = urn,
        Type = urn.Type,
        Custom = custom,
        Parent = parent,
        Inputs = inputs ?? new JsonObject(),
    };

    public static Step Step(StepOp op, Urn urn, Urn? parent = null, JsonObject? oldInputs = null, JsonObject? newInputs = null,
        bool custom = true, IReadOnlyList<PropertyDiff>? diff = null, IReadOnlyList<string>? replaceReasons = null, bool protect = false)
    {
        var old = op is StepOp.Create ? null : State(urn, oldInputs ?? newInputs?.DeepClone().AsObject(), parent, custom) with { Protect = protect };
        var @new = op is StepOp.Delete ? null : State(urn, newInputs ?? oldInputs?.DeepClone().AsObject(), parent, custom);
        return new Step
        {
            Op = op,
            Urn = urn,
            Type = urn.Type,
            Old = old,
            New = @new,
            DetailedDiff = diff ?? [],
            DiffReasons = diff?.Select(d => d.Path.Split('.', '[')[0]).Distinct().ToArray() ?? [],
            ReplaceReasons = replaceReasons ?? [],
        };
    }

    public static JsonObject Deployment(int replicas, JsonNode? apiKey = null) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "qwen-fast", ["namespace"] = "llm" },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["template"] = new JsonObject
            {
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["image"] = "ghcr.io/ggml-org/llama.cpp:server-cuda",
                        ["env"] = new JsonObject { ["API_KEY"] = apiKey ?? PropertyValues.Secret(Secret) },
                    }),
                },
            },
        },
    };

    /// <summary>The brief's example: a stack, a GPU runtime component with a RuntimeClass, a Deployment update, five sames.</summary>
    public static Plan Homelab()
    {
        var runtime = UrnOf("llmctl:gpu:NvidiaRuntime", "nvidia");
        var runtimeClass = UrnOf("kubernetes:node.k8s.io/v1:RuntimeClass", "nvidia", runtime);
        var deployment = UrnOf("kubernetes:apps/v1:Deployment", "qwen-fast");
        var steps = new List<Step>
        {
            Step(StepOp.Create, Root, custom: false),
            Step(StepOp.Create, runtime, Root, custom: false),
            Step(StepOp.Create, runtimeClass, runtime, newInputs: new JsonObject { ["handler"] = "nvidia" }),
        };
        for (var i = 0; i < 5; i++) steps.Insert(1 + i, Step(StepOp.Same, UrnOf("kubernetes:core/v1:ConfigMap", $"cm-{i}"), Root, new JsonObject { ["data"] = new JsonObject { ["i"] = i } }));
        steps.Add(Step(StepOp.Update, deployment, Root, Deployment(1), Deployment(2), diff: [new PropertyDiff("spec.replicas", DiffKind.Update)]));
        return new Plan { Project = "llm-platform", Stack = "homelab", Steps = steps };
    }
}

/// <summary>A plan with a replace under a component, a protected delete, an unknown input, diagnostics and policy violations.</summary>
internal static class MixedPlan
{
    public static readonly Urn Lane = Plans.UrnOf("llmctl:lanes:Lane", "qwen-fast");
    public static readonly Urn Pvc = Plans.UrnOf("kubernetes:core/v1:PersistentVolumeClaim", "models", Lane);
    public static readonly Urn Service = Plans.UrnOf("kubernetes:core/v1:Service", "qwen-fast", Lane);
    public static readonly Urn Gateway = Plans.UrnOf("kubernetes:apps/v1:Deployment", "gateway");
    public static readonly Urn OldKey = Plans.UrnOf("kubernetes:core/v1:Secret", "old-key");

    public static readonly Policy.Violation MandatoryViolation =
        new("llmctl-gpu", "one-active-lane", Policy.EnforcementLevel.Mandatory, "two lanes are active on gpu0; set Active = false on one of them", Pvc);
    public static readonly Policy.Violation AdvisoryViolation =
        new("llmctl-supply-chain", "pinned-digests", Policy.EnforcementLevel.Advisory, "image ghcr.io/x:latest has no digest");

    public static Plan Build(bool deleteBeforeReplace = false)
    {
        var pvc = Plans.Step(StepOp.Replace, Pvc, Lane,
            new JsonObject { ["spec"] = new JsonObject { ["storageClassName"] = "local-path", ["size"] = "100Gi" } },
            new JsonObject { ["spec"] = new JsonObject { ["storageClassName"] = "nfs", ["size"] = "100Gi" } },
            diff: [new PropertyDiff("spec.storageClassName", DiffKind.UpdateReplace)], replaceReasons: ["spec"]);
        if (deleteBeforeReplace) pvc = pvc with { New = pvc.New! with { DeleteBeforeReplace = true } };
        return new Plan
        {
            Project = "llm-platform",
            Stack = "homelab",
            Steps =
            [
                Plans.Step(StepOp.Same, Plans.Root, custom: false),
                Plans.Step(StepOp.Same, Lane, Plans.Root, custom: false),
                pvc,
                Plans.Step(StepOp.Same, Service, Lane, new JsonObject { ["port"] = 8080 }),
                Plans.Step(StepOp.Create, Gateway, Plans.Root, newInputs: new JsonObject
                {
                    ["image"] = "ghcr.io/berriai/litellm:v1.80.0",
                    ["env"] = new JsonObject { ["MASTER_KEY"] = PropertyValues.Secret(Plans.Secret), ["UPSTREAM"] = PropertyValues.Unknown() },
                    ["args"] = new JsonArray("--port", 4000),
                }),
                Plans.Step(StepOp.Delete, OldKey, Plans.Root, oldInputs: new JsonObject { ["stringData"] = new JsonObject { ["key"] = PropertyValues.Secret(Plans.Secret) } }, protect: true),
            ],
            Diagnostics =
            [
                new Diagnostic(DiagnosticSeverity.Warning, "image tag 'v1.80.0' is not pinned by digest", Gateway),
                new Diagnostic(DiagnosticSeverity.Error, "kubeconfig not found\nset KUBECONFIG"),
            ],
        };
    }
}
