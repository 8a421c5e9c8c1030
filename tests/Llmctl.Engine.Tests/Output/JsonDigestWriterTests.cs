using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.Output;
using Llmctl.Engine.Planning;

namespace Llmctl.Engine.Tests.Output;

public class JsonDigestWriterTests
{
    private static readonly JsonDigestOptions Options = new()
    {
        Config = new Dictionary<string, JsonNode?>
        {
            ["llm-platform:gpu"] = "rtx-4090",
            ["llm-platform:apiKey"] = PropertyValues.Secret(Plans.Secret),
            ["llm-platform:lanes"] = new JsonArray("qwen-fast", "qwen-big"),
        },
        Duration = TimeSpan.FromMilliseconds(1500),
        PolicyViolations = [MixedPlan.AdvisoryViolation, MixedPlan.MandatoryViolation],
        PolicyPackVersions = new Dictionary<string, string> { ["llmctl-gpu"] = "0.1.0" },
    };

    private static (string Text, JsonObject Json) Digest()
    {
        var writer = new StringWriter();
        JsonDigestWriter.Write(writer, MixedPlan.Build(), Options);
        var text = writer.ToString();
        return (text, JsonNode.Parse(text)!.AsObject());
    }

    [Fact]
    public void The_digest_has_pulumis_preview_digest_keys_in_a_stable_order()
    {
        var (_, json) = Digest();

        Assert.Equal(["config", "steps", "diagnostics", "duration", "changeSummary", "policyViolations"], json.Select(kv => kv.Key));
        Assert.Equal(1_500_000_000, json["duration"]!.GetValue<long>());
        Assert.Equal("""{"same":3,"create":1,"delete":1,"replace":1}""", json["changeSummary"]!.ToJsonString());
    }

    [Fact]
    public void Steps_carry_pulumis_preview_step_fields()
    {
        var (_, json) = Digest();
        var replace = json["steps"]![2]!.AsObject();

        Assert.Equal(["op", "urn", "provider", "oldState", "newState", "diffReasons", "replaceReasons", "detailedDiff"], replace.Select(kv => kv.Key));
        Assert.Equal("replace", replace["op"]!.GetValue<string>());
        Assert.Equal(MixedPlan.Pvc.Value, replace["urn"]!.GetValue<string>());
        Assert.Equal("urn:pulumi:homelab::llm-platform::pulumi:providers:kubernetes::default", replace["provider"]!.GetValue<string>());
        Assert.Equal("""{"spec.storageClassName":{"kind":"update-replace","inputDiff":true}}""", replace["detailedDiff"]!.ToJsonString());
        Assert.Equal(["urn", "custom", "type", "inputs", "parent"], replace["newState"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(["op", "urn", "provider", "newState"], json["steps"]![4]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(["op", "urn", "provider", "oldState"], json["steps"]![5]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(["op", "urn", "oldState", "newState"], json["steps"]![0]!.AsObject().Select(kv => kv.Key));
    }

    [Fact]
    public void Secrets_are_blinded_in_config_and_states_and_unknowns_are_marked()
    {
        var (text, json) = Digest();

        Assert.DoesNotContain(Plans.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(PropertyValues.SecretSig, text, StringComparison.Ordinal);
        Assert.DoesNotContain("ciphertext", text, StringComparison.Ordinal);
        var config = json["config"]!.AsObject();
        Assert.Equal(["llm-platform:apiKey", "llm-platform:gpu", "llm-platform:lanes"], config.Select(kv => kv.Key));
        Assert.Equal("[secret]", config["llm-platform:apiKey"]!.GetValue<string>());
        Assert.Equal("rtx-4090", config["llm-platform:gpu"]!.GetValue<string>());
        Assert.Equal("[\"qwen-fast\",\"qwen-big\"]", config["llm-platform:lanes"]!.GetValue<string>());
        var env = json["steps"]![4]!["newState"]!["inputs"]!["env"]!;
        Assert.Equal("[secret]", env["MASTER_KEY"]!.GetValue<string>());
        Assert.Equal("[known after apply]", env["UPSTREAM"]!.GetValue<string>());
    }

    [Fact]
    public void Diagnostics_and_policy_violations_are_listed_with_their_pulumi_keys()
    {
        var (_, json) = Digest();

        var warning = json["diagnostics"]![0]!.AsObject();
        Assert.Equal(["urn", "prefix", "message", "severity"], warning.Select(kv => kv.Key));
        Assert.Equal("warning: ", warning["prefix"]!.GetValue<string>());
        Assert.Equal(["prefix", "message", "severity"], json["diagnostics"]![1]!.AsObject().Select(kv => kv.Key));
        var mandatory = json["policyViolations"]![0]!.AsObject();
        Assert.Equal(["policyPackName", "policyPackVersion", "policyName", "enforcementLevel", "message", "resourceUrn"], mandatory.Select(kv => kv.Key));
        Assert.Equal("mandatory", mandatory["enforcementLevel"]!.GetValue<string>());
        Assert.Equal("advisory", json["policyViolations"]![1]!["enforcementLevel"]!.GetValue<string>());
    }

    [Fact]
    public void The_digest_is_indented_with_four_spaces()
    {
        var (text, _) = Digest();

        Assert.StartsWith("{\n    \"config\": {\n        \"llm-platform:apiKey\"", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void A_large_digest_is_written_whole_with_characters_that_span_chunks_intact()
    {
        // Several of the writer's 64 KiB chunks, with two-, three- and four-byte characters throughout, so some fall
        // across a chunk boundary.
        var steps = new List<Step>();
        for (var i = 0; i < 3_000; i++)
        {
            steps.Add(Plans.Step(StepOp.Create, Plans.UrnOf("kubernetes:core/v1:ConfigMap", $"cm-{i}"), Plans.Root,
                newInputs: new JsonObject { ["data"] = new JsonObject { ["text"] = $"é€🦙{new string('x', i % 7)}-{i}" } }));
        }
        var writer = new StringWriter();
        JsonDigestWriter.Write(writer, new Plan { Project = "llm-platform", Stack = "homelab", Steps = steps }, new JsonDigestOptions());
        var text = writer.ToString();

        Assert.True(text.Length > 3 * 64 * 1024, $"only {text.Length} characters");
        Assert.EndsWith("}" + writer.NewLine, text, StringComparison.Ordinal);
        var json = JsonNode.Parse(text)!.AsObject();
        var written = json["steps"]!.AsArray().Select(s => s!["newState"]!["inputs"]!["data"]!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Range(0, 3_000).Select(i => $"é€🦙{new string('x', i % 7)}-{i}"), written);
        Assert.DoesNotContain('\uFFFD', text);
    }
}
