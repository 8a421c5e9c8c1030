using System.Text;
using System.Text.Json.Nodes;
using Llmctl.Engine.Config;
using Llmctl.Engine.State;
using static Llmctl.Engine.Tests.State.Checkpoints;

namespace Llmctl.Engine.Tests.State;

public class ExportImportTests
{
    [Fact]
    public void An_export_is_pulumis_deployment_shape_with_the_secret_still_encrypted()
    {
        var bytes = CheckpointSerializer.SerializeExport(WithSecret(), new FakeCrypter());
        var json = Encoding.UTF8.GetString(bytes);
        var doc = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(3, doc["version"]!.GetValue<int>());
        Assert.Equal(["version", "deployment"], doc.Select(kv => kv.Key));
        var deployment = doc["deployment"]!.AsObject();
        Assert.NotNull(deployment["manifest"]?["time"]);
        Assert.Equal("passphrase", deployment["secrets_providers"]!["type"]!.GetValue<string>());
        Assert.Equal(2, deployment["resources"]!.AsArray().Count);
        Assert.Contains("\"ciphertext\": \"v1:fake:", json, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
    }

    [Fact]
    public void An_export_reads_back_to_the_same_checkpoint()
    {
        var original = WithSecret();
        var crypter = new FakeCrypter();
        var back = CheckpointSerializer.DeserializeExport(CheckpointSerializer.SerializeExport(original, crypter), crypter, "export.json", "llm-platform", "homelab");

        Assert.Equal("homelab", back.Stack);
        Assert.Equal(original.Resources.Select(r => r.Urn), back.Resources.Select(r => r.Urn));
        Assert.True(JsonNode.DeepEquals(original.Resources[1].Inputs, back.Resources[1].Inputs));
        Assert.Equal(original.Resources[1].Protect, back.Resources[1].Protect);
        Assert.Equal(original.SecretsSalt, back.SecretsSalt);
    }

    [Fact]
    public void Bad_json_a_wrong_version_and_a_missing_deployment_are_format_errors_naming_the_file()
    {
        var crypter = new FakeCrypter();
        Assert.Contains("x.json is not valid JSON", Assert.Throws<CheckpointFormatException>(() =>
            CheckpointSerializer.DeserializeExport("{\"version\": 3,"u8, crypter, "x.json", "llm-platform", "homelab")).Message);
        Assert.Contains("deployment version 2", Assert.Throws<CheckpointFormatException>(() =>
            CheckpointSerializer.DeserializeExport("{\"version\": 2, \"deployment\": {}}"u8, crypter, "x.json", "llm-platform", "homelab")).Message);
        Assert.Contains("no 'deployment' object", Assert.Throws<CheckpointFormatException>(() =>
            CheckpointSerializer.DeserializeExport("{\"version\": 3}"u8, crypter, "x.json", "llm-platform", "homelab")).Message);
    }

    [Fact]
    public void A_secret_that_does_not_decrypt_under_this_stacks_passphrase_is_refused()
    {
        var bytes = CheckpointSerializer.SerializeExport(WithSecret(), new FakeCrypter());
        var ex = Assert.Throws<SecretDecryptionException>(() =>
            CheckpointSerializer.DeserializeExport(bytes, new RefusingCrypter(), "x.json", "llm-platform", "homelab"));
        Assert.Contains("x.json", ex.Message);
    }

    [Fact]
    public void Integrity_finds_duplicates_dangling_references_order_and_foreign_urns()
    {
        var cp = WithSecret();
        var stack = cp.Resources[0];
        var holder = cp.Resources[1];
        var dangling = holder with { Urn = Urn("kubernetes:core/v1:Service", "svc"), Dependencies = [Urn("kubernetes:core/v1:Namespace", "gone")] };
        var early = holder with { Urn = Urn("kubernetes:core/v1:Service", "early"), Dependencies = [Urn("kubernetes:core/v1:Service", "late")] };
        var late = holder with { Urn = Urn("kubernetes:core/v1:Service", "late"), Dependencies = [] };
        var foreign = holder with { Urn = Model.Urn.Create("prod", "llm-platform", null, "kubernetes:core/v1:Service", "other"), Dependencies = [] };
        var broken = cp with { Resources = [stack, holder, holder, dangling, early, late, foreign] };

        var problems = CheckpointIntegrity.Problems(broken, "llm-platform", "homelab");

        Assert.Contains(problems, p => p.StartsWith($"duplicate resource URN '{holder.Urn}'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("::gone', which is not in the deployment", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("::late', which comes after it", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("belongs to stack 'prod'", StringComparison.Ordinal));
        Assert.Equal(4, problems.Count);
        Assert.Empty(CheckpointIntegrity.Problems(cp, "llm-platform", "homelab"));
    }

    private sealed class RefusingCrypter : ISecretCrypter
    {
        public string Encrypt(string plaintext) => throw new SecretDecryptionException("wrong passphrase");

        public string Decrypt(string ciphertext) => throw new SecretDecryptionException("incorrect passphrase");
    }
}
