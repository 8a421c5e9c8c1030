using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Tests.State;

/// <summary>Hand-built checkpoints for the state tests.</summary>
internal static class Checkpoints
{
    public const string Password = "hunter2-very-secret";

    public static Urn Urn(string type, string name, string? parentQualified = null) =>
        Model.Urn.Create("homelab", "llm-platform", parentQualified, type, name);

    public static ResourceState Stack() => new()
    {
        Urn = Urn(StackResource.TypeToken, "llm-platform-homelab"),
        Type = StackResource.TypeToken,
        Outputs = new JsonObject { ["gatewayUrl"] = "https://llm.example.ts.net" },
    };

    public static ResourceState SecretHolder(Urn parent) => new()
    {
        Urn = Urn("kubernetes:core/v1:Secret", "gateway-key"),
        Type = "kubernetes:core/v1:Secret",
        Custom = true,
        Id = "llm/gateway-key",
        Parent = parent,
        Inputs = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "gateway-key", ["namespace"] = "llm" },
            ["stringData"] = new JsonObject { ["key"] = PropertyValues.Secret(Password) },
        },
        Outputs = new JsonObject { ["stringData"] = PropertyValues.Secret(new JsonObject { ["key"] = Password }) },
        Dependencies = [parent],
        Protect = true,
        Created = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero),
        Modified = new DateTimeOffset(2026, 3, 2, 8, 30, 15, 500, TimeSpan.Zero),
    };

    public static StackCheckpoint WithSecret()
    {
        var stack = Stack();
        return new StackCheckpoint
        {
            Project = "llm-platform",
            Stack = "homelab",
            Resources = [stack, SecretHolder(stack.Urn)],
            SecretsSalt = "v1:c2FsdA==:v1:bm9uY2U=:Y2lwaGVy",
            Time = new DateTimeOffset(2026, 3, 2, 8, 30, 16, TimeSpan.Zero),
        };
    }

    public static StackCheckpoint Large(int count)
    {
        var stack = Stack();
        var resources = new List<ResourceState>(count + 1) { stack };
        for (var i = 0; i < count; i++)
        {
            resources.Add(new ResourceState
            {
                Urn = Urn("kubernetes:core/v1:ConfigMap", $"cm-{i}"),
                Type = "kubernetes:core/v1:ConfigMap",
                Custom = true,
                Id = $"llm/cm-{i}",
                Parent = stack.Urn,
                Inputs = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["name"] = $"cm-{i}", ["labels"] = new JsonObject { ["app"] = "llm" } },
                    ["data"] = new JsonObject { ["a"] = "1", ["b"] = i, ["token"] = PropertyValues.Secret($"t-{i}") },
                },
                Outputs = new JsonObject { ["id"] = $"llm/cm-{i}" },
                Dependencies = [stack.Urn],
            });
        }
        return new StackCheckpoint { Project = "llm-platform", Stack = "homelab", Resources = resources };
    }
}
