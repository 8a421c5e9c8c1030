using System.Text.Json.Nodes;
using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Tests;

/// <summary><c>stack export</c> / <c>stack import</c> with a real secret (the passphrase's key derivation is slow, so one class).</summary>
public class StackTransferVerbTests
{
    private const string Secret = "sk-very-secret-provider-key";

    private static async Task<CliHarness> DeployedWithSecretAsync()
    {
        var cli = new CliHarness();
        cli.Env("PULUMI_CONFIG_PASSPHRASE", "correct horse");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("config", "set", "--secret", "--path", "llm-platform:gateway.providerKeys.OPENAI_API_KEY", Secret, "-s", "homelab"));
        var code = await cli.RunAsync("up", "--yes", "-s", "homelab");
        Assert.True(code == ExitCodes.Ok, $"up exited {code}: {cli.Err}");
        Assert.Contains("\"ciphertext\"", File.ReadAllText(cli.CheckpointPath));
        return cli;
    }

    [Fact]
    public async Task An_export_import_round_trip_keeps_secrets_encrypted_backs_up_and_leaves_no_changes()
    {
        using var cli = await DeployedWithSecretAsync();
        var export = Path.Combine(cli.Directory, "homelab.json");

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "export", "--file", "homelab.json", "-s", "homelab"));
        var text = File.ReadAllText(export);
        Assert.DoesNotContain(Secret, text);
        Assert.Contains("\"ciphertext\": \"v1:", text);
        var doc = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(3, doc["version"]!.GetValue<int>());
        Assert.NotEmpty(doc["deployment"]!["resources"]!.AsArray());

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "export", "-s", "homelab"));
        Assert.DoesNotContain(Secret, cli.Out);
        Assert.Equal(3, JsonNode.Parse(cli.Out)!["version"]!.GetValue<int>());

        var before = File.ReadAllBytes(cli.CheckpointPath);
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "import", "--file", "homelab.json", "-s", "homelab"));
        Assert.Contains("the checkpoint it replaced is kept at ", cli.Out);
        var backup = cli.Out[(cli.Out.IndexOf("kept at ", StringComparison.Ordinal) + 8)..].Trim();
        Assert.Equal(before, File.ReadAllBytes(backup));
        Assert.DoesNotContain(Secret, File.ReadAllText(cli.CheckpointPath));

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "--expect-no-changes", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "history", "--json", "-s", "homelab"));
        Assert.Equal("import", JsonNode.Parse(cli.Out)!.AsArray()[0]!["kind"]!.GetValue<string>());

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("preview", "-s", "homelab", "-v", "9"));
        Assert.Contains("v3] plan:", cli.Err);
        Assert.DoesNotContain(Secret, cli.Err);
        Assert.DoesNotContain(Secret, cli.Out);
    }

    [Fact]
    public async Task A_bad_import_is_refused_with_exit_2_and_changes_nothing()
    {
        using var cli = await DeployedWithSecretAsync();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("stack", "export", "--file", "good.json", "-s", "homelab"));
        var good = JsonNode.Parse(File.ReadAllText(Path.Combine(cli.Directory, "good.json")))!.AsObject();
        var before = File.ReadAllBytes(cli.CheckpointPath);

        async Task Refused(string name, string content, string expected)
        {
            File.WriteAllText(Path.Combine(cli.Directory, name), content);
            Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("stack", "import", "--file", name, "-s", "homelab"));
            Assert.Contains(expected, cli.Err);
            Assert.Contains("nothing was changed", cli.Err);
            Assert.DoesNotContain("   at ", cli.Err);
            Assert.Equal(before, File.ReadAllBytes(cli.CheckpointPath));
        }

        await Refused("broken.json", "{\"version\": 3, \"deployment\": {", "is not valid JSON");
        var v2 = (JsonObject)good.DeepClone();
        v2["version"] = 2;
        await Refused("v2.json", v2.ToJsonString(), "deployment version 2; llmctl reads version 3");

        var duplicate = (JsonObject)good.DeepClone();
        var resources = duplicate["deployment"]!["resources"]!.AsArray();
        resources.Add(resources[^1]!.DeepClone());
        await Refused("duplicate.json", duplicate.ToJsonString(), "duplicate resource URN");

        var dangling = (JsonObject)good.DeepClone();
        dangling["deployment"]!["resources"]!.AsArray()[^1]!["dependencies"] = new JsonArray("urn:pulumi:homelab::llm-platform::kubernetes:core/v1:Namespace::gone");
        await Refused("dangling.json", dangling.ToJsonString(), "::gone', which is not in the deployment");

        await Refused("missing.json", "", "is not valid JSON");
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("stack", "import", "--file", "nope.json", "-s", "homelab"));
        Assert.Contains("no such file", cli.Err);

        cli.Env("PULUMI_CONFIG_PASSPHRASE", "wrong passphrase");
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("stack", "import", "--file", "good.json", "-s", "homelab"));
        Assert.Contains("nothing was changed", cli.Err + cli.Out);
        Assert.Equal(before, File.ReadAllBytes(cli.CheckpointPath));
    }
}
