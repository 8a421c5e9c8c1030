using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Engine.Model;
using Llmctl.Engine.State;

namespace Llmctl.Engine.Tests.State;

public class CheckpointSerializerTests
{
    private static JsonObject Written(StackCheckpoint checkpoint, FakeCrypter? crypter = null) =>
        JsonNode.Parse(CheckpointSerializer.Serialize(checkpoint, crypter ?? new FakeCrypter()))!.AsObject();

    [Fact]
    public void A_checkpoint_is_written_in_the_deployment_v3_shape()
    {
        var json = Written(Checkpoints.WithSecret());

        Assert.Equal(3, json["version"]!.GetValue<int>());
        var checkpoint = json["checkpoint"]!.AsObject();
        Assert.Equal("homelab", checkpoint["stack"]!.GetValue<string>());
        var latest = checkpoint["latest"]!.AsObject();
        Assert.Equal(["manifest", "secrets_providers", "resources"], latest.Select(kv => kv.Key));
        Assert.Equal(["time", "magic", "version"], latest["manifest"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal("2026-03-02T08:30:16Z", latest["manifest"]!["time"]!.GetValue<string>());
        Assert.Equal("passphrase", latest["secrets_providers"]!["type"]!.GetValue<string>());
        Assert.Equal("v1:c2FsdA==:v1:bm9uY2U=:Y2lwaGVy", latest["secrets_providers"]!["state"]!["salt"]!.GetValue<string>());
        Assert.Equal(StackResource.TypeToken, latest["resources"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Resource_fields_carry_pulumis_names_and_empty_ones_are_left_out()
    {
        var json = Written(Checkpoints.WithSecret());
        var resources = json["checkpoint"]!["latest"]!["resources"]!.AsArray();

        Assert.Equal(["urn", "custom", "type", "outputs"], resources[0]!.AsObject().Select(kv => kv.Key));
        Assert.Equal(
            ["urn", "custom", "id", "type", "inputs", "outputs", "parent", "protect", "dependencies", "created", "modified"],
            resources[1]!.AsObject().Select(kv => kv.Key));
        Assert.Equal("2026-03-02T08:30:15.5Z", resources[1]!["modified"]!.GetValue<string>());
    }

    [Fact]
    public void Every_resource_option_round_trips_under_its_pulumi_name()
    {
        var parent = Checkpoints.Urn("llmctl:gpu:NvidiaRuntime", "nvidia");
        var resource = new ResourceState
        {
            Urn = Checkpoints.Urn("kubernetes:apps/v1:Deployment", "qwen-fast", "llmctl:gpu:NvidiaRuntime"),
            Type = "kubernetes:apps/v1:Deployment",
            Custom = true,
            Id = "llm/qwen-fast",
            Parent = parent,
            RetainOnDelete = true,
            DeleteBeforeReplace = true,
            IgnoreChanges = ["spec.replicas"],
            ReplaceOnChanges = ["spec.selector"],
            AdditionalSecretOutputs = ["status"],
            Aliases = [Checkpoints.Urn("kubernetes:apps/v1:Deployment", "qwen")],
            CustomTimeouts = new CustomTimeouts { Create = TimeSpan.FromMinutes(20), Delete = TimeSpan.FromSeconds(90) },
            PendingReplacement = true,
        };
        var checkpoint = new StackCheckpoint { Project = "llm-platform", Stack = "homelab", Resources = [resource] };

        var json = Written(checkpoint)["checkpoint"]!["latest"]!["resources"]![0]!.AsObject();
        Assert.Equal(
            ["urn", "custom", "id", "type", "parent", "pendingReplacement", "additionalSecretOutputs", "aliases", "customTimeouts",
             "retainOnDelete", "deleteBeforeReplace", "ignoreChanges", "replaceOnChanges"],
            json.Select(kv => kv.Key));
        Assert.Equal(1200, json["customTimeouts"]!["create"]!.GetValue<double>());

        var back = CheckpointSerializer.Deserialize(CheckpointSerializer.Serialize(checkpoint, null), null, "test.json").Resources.Single();
        Assert.Equal(resource.Urn, back.Urn);
        Assert.Equal(resource.Parent, back.Parent);
        Assert.True(back.RetainOnDelete && back.DeleteBeforeReplace && back.PendingReplacement && back.Custom);
        Assert.Equal(resource.IgnoreChanges, back.IgnoreChanges);
        Assert.Equal(resource.ReplaceOnChanges, back.ReplaceOnChanges);
        Assert.Equal(resource.AdditionalSecretOutputs, back.AdditionalSecretOutputs);
        Assert.Equal(resource.Aliases, back.Aliases);
        Assert.Equal(resource.CustomTimeouts, back.CustomTimeouts);
    }

    [Fact]
    public void A_secret_is_written_as_ciphertext_and_never_in_plain_text()
    {
        var crypter = new FakeCrypter();
        var bytes = CheckpointSerializer.Serialize(Checkpoints.WithSecret(), crypter);
        var text = Encoding.UTF8.GetString(bytes);

        Assert.DoesNotContain(Checkpoints.Password, text, StringComparison.Ordinal);
        Assert.Equal(2, crypter.Encrypted);
        var secret = JsonNode.Parse(text)!["checkpoint"]!["latest"]!["resources"]![1]!["inputs"]!["stringData"]!["key"]!.AsObject();
        Assert.Equal([PropertyValues.SigKey, "ciphertext"], secret.Select(kv => kv.Key));
        Assert.Equal(PropertyValues.SecretSig, secret[PropertyValues.SigKey]!.GetValue<string>());
        Assert.Equal($"\"{Checkpoints.Password}\"", crypter.Decrypt(secret["ciphertext"]!.GetValue<string>()));
    }

    [Fact]
    public void Secrets_load_back_into_their_in_memory_wrappers()
    {
        var original = Checkpoints.WithSecret();
        var crypter = new FakeCrypter();

        var loaded = CheckpointSerializer.Deserialize(CheckpointSerializer.Serialize(original, crypter), crypter, "homelab.json");

        Assert.Equal("llm-platform", loaded.Project);
        Assert.Equal("homelab", loaded.Stack);
        Assert.Equal(original.SecretsSalt, loaded.SecretsSalt);
        Assert.Equal(original.Time, loaded.Time);
        Assert.Equal(original.Resources.Count, loaded.Resources.Count);
        for (var i = 0; i < original.Resources.Count; i++)
        {
            var (a, b) = (original.Resources[i], loaded.Resources[i]);
            Assert.True(PropertyValues.DeepEquals(a.Inputs, b.Inputs), $"inputs of {a.Urn}");
            Assert.True(PropertyValues.DeepEquals(a.Outputs, b.Outputs), $"outputs of {a.Urn}");
            Assert.Equal((a.Urn, a.Type, a.Custom, a.Id, a.Parent, a.Protect, a.Created, a.Modified),
                (b.Urn, b.Type, b.Custom, b.Id, b.Parent, b.Protect, b.Created, b.Modified));
            Assert.Equal(a.Dependencies, b.Dependencies);
        }
        Assert.True(PropertyValues.IsSecret(loaded.Resources[1].Inputs["stringData"]!["key"]));
        Assert.Equal("https://llm.example.ts.net", loaded.StackOutputs["gatewayUrl"]!.GetValue<string>());
    }

    [Fact]
    public void Saving_a_secret_without_a_crypter_fails_rather_than_write_plain_text()
    {
        var ex = Assert.Throws<SecretsProviderRequiredException>(() => CheckpointSerializer.Serialize(Checkpoints.WithSecret(), null));

        Assert.Contains("gateway-key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PULUMI_CONFIG_PASSPHRASE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_a_secret_without_a_crypter_fails_naming_the_file()
    {
        var bytes = CheckpointSerializer.Serialize(Checkpoints.WithSecret(), new FakeCrypter());

        var ex = Assert.Throws<SecretsProviderRequiredException>(() => CheckpointSerializer.Deserialize(bytes, null, "/state/homelab.json"));

        Assert.Contains("/state/homelab.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_checkpoint_without_secrets_needs_no_crypter()
    {
        var checkpoint = new StackCheckpoint { Project = "llm-platform", Stack = "homelab", Resources = [Checkpoints.Stack()] };

        var loaded = CheckpointSerializer.Deserialize(CheckpointSerializer.Serialize(checkpoint, null), null, "homelab.json");

        Assert.Single(loaded.Resources);
    }

    [Fact]
    public void Plaintext_secrets_from_a_pulumi_export_load_as_secrets()
    {
        const string json = """
            {"version": 3, "checkpoint": {"stack": "organization/llm-platform/homelab", "latest": {
              "manifest": {"time": "2026-03-02T08:30:16.123456789+01:00", "magic": "x", "version": "v3.200.0"},
              "resources": [{"urn": "urn:pulumi:homelab::llm-platform::pulumi:pulumi:Stack::llm-platform-homelab", "custom": false,
                "type": "pulumi:pulumi:Stack",
                "outputs": {"token": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": "\"abc\""}}}]}}}
            """;

        var loaded = CheckpointSerializer.Deserialize(json, null, "export.json");

        Assert.Equal("homelab", loaded.Stack);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 7, 30, 16, TimeSpan.Zero).AddTicks(1234567), loaded.Time);
        var token = loaded.StackOutputs["token"];
        Assert.True(PropertyValues.IsSecret(token));
        Assert.Equal("abc", PropertyValues.Unwrap(token)!.GetValue<string>());
    }

    [Fact]
    public void Malformed_json_is_reported_naming_the_file()
    {
        var ex = Assert.Throws<CheckpointFormatException>(() => CheckpointSerializer.Deserialize("{\"version\": 3,", null, "/state/homelab.json"));

        Assert.Contains("/state/homelab.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"version\": 2, \"checkpoint\": {\"stack\": \"homelab\"}}", "version 2")]
    [InlineData("{\"checkpoint\": {\"stack\": \"homelab\"}}", "version (none)")]
    [InlineData("[]", "expected a JSON object")]
    [InlineData("{\"version\": 3, \"checkpoint\": {}}", "checkpoint.stack")]
    [InlineData("{\"version\": 3, \"checkpoint\": {\"stack\": \"s\", \"latest\": {\"resources\": [{\"urn\": \"nope\", \"type\": \"a:b:C\"}]}}}", "resources[0]")]
    public void A_file_that_is_not_a_v3_checkpoint_is_refused_naming_the_file(string json, string detail)
    {
        var ex = Assert.Throws<CheckpointFormatException>(() => CheckpointSerializer.Deserialize(json, null, "/state/homelab.json", "llm-platform"));

        Assert.Contains("/state/homelab.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(detail, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pending_operations_round_trip_with_their_type()
    {
        var stack = Checkpoints.Stack();
        var creating = Checkpoints.SecretHolder(stack.Urn);
        var checkpoint = Checkpoints.WithSecret() with
        {
            PendingOperations = [new PendingOperation(creating, PendingOperationType.Creating), new PendingOperation(stack, PendingOperationType.Deleting)],
        };
        var crypter = new FakeCrypter();

        var bytes = CheckpointSerializer.Serialize(checkpoint, crypter);
        var pending = JsonNode.Parse(bytes)!["checkpoint"]!["latest"]!["pending_operations"]!.AsArray();
        var loaded = CheckpointSerializer.Deserialize(bytes, crypter, "homelab.json");

        Assert.Equal(["resource", "type"], pending[0]!.AsObject().Select(kv => kv.Key));
        Assert.Equal("creating", pending[0]!["type"]!.GetValue<string>());
        Assert.Equal([PendingOperationType.Creating, PendingOperationType.Deleting], loaded.PendingOperations.Select(p => p.Type));
        Assert.Equal(creating.Urn, loaded.PendingOperations[0].Resource.Urn);
        Assert.True(PropertyValues.DeepEquals(creating.Inputs, loaded.PendingOperations[0].Resource.Inputs));
        Assert.DoesNotContain(Checkpoints.Password, Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void A_ten_thousand_resource_checkpoint_round_trips()
    {
        var checkpoint = Checkpoints.Large(10_000);
        var crypter = new FakeCrypter();

        var loaded = CheckpointSerializer.Deserialize(CheckpointSerializer.Serialize(checkpoint, crypter), crypter, "large.json");

        Assert.Equal(10_001, loaded.Resources.Count);
        Assert.True(PropertyValues.DeepEquals(checkpoint.Resources[^1].Inputs, loaded.Resources[^1].Inputs));
    }

    [Fact]
    public void A_secret_inside_a_secret_is_encrypted_on_its_own_and_reads_back_as_it_was()
    {
        var inputs = new JsonObject
        {
            ["connection"] = PropertyValues.Secret(new JsonObject { ["host"] = "node-a", ["privateKey"] = PropertyValues.Secret(JsonValue.Create("KEY-MATERIAL")) }),
        };
        var checkpoint = StackCheckpoint.Empty("proj", "dev") with
        {
            Resources = [new ResourceState { Urn = new Urn("urn:pulumi:dev::proj::command:remote:Command::c"), Type = "command:remote:Command", Custom = true, Inputs = inputs }],
        };
        var crypter = new FakeCrypter();

        var bytes = CheckpointSerializer.Serialize(checkpoint, crypter);
        var loaded = CheckpointSerializer.Deserialize(bytes, crypter, "test");

        Assert.DoesNotContain("KEY-MATERIAL", System.Text.Encoding.UTF8.GetString(bytes));
        Assert.True(PropertyValues.DeepEquals(inputs, loaded.Resources[0].Inputs));
        Assert.True(PropertyValues.IsSecret(PropertyValues.Unwrap(loaded.Resources[0].Inputs["connection"])!["privateKey"]));
    }
}
