using Llmctl.Engine.Config.Secrets;
using Llmctl.Infra.Cli;
using Llmctl.Testing;

namespace Llmctl.Infra.Tests;

/// <summary>
/// A <c>secure:</c> value whose ciphertext was altered (a bad merge, a hand edit) is a configuration error at its key
/// and file:line:column, found before anything reads it — and no secret of the stack is printed on the way.
/// </summary>
public sealed class CorruptSecretTests
{
    private const string Passphrase = "llmctl-sample";

    [Fact]
    public async Task Preview_of_a_stack_with_a_corrupt_ciphertext_exits_2_naming_the_key_and_its_position_and_no_secret()
    {
        using var cli = new CliHarness();
        var text = File.ReadAllText(RepoFiles.Path("Pulumi.fleet.yaml"));
        const string apiKey = "secure: v1:pmZMsJY29JxSaYzl:9eEu";
        Assert.Contains(apiKey, text, StringComparison.Ordinal);
        var stackFile = Path.Combine(cli.Directory, "Pulumi.fleet.yaml");
        File.WriteAllText(stackFile, text.Replace(apiKey, "secure: v1:pmZMsJY29JxSaYzl:8eEu", StringComparison.Ordinal));
        var lines = File.ReadAllLines(stackFile);
        var line = Array.FindIndex(lines, l => l.Contains("v1:pmZMsJY29JxSaYzl", StringComparison.Ordinal)) + 1;
        var column = lines[line - 1].IndexOf("v1:pmZMsJY29JxSaYzl", StringComparison.Ordinal) + 1;

        var code = await cli.Env("PULUMI_CONFIG_PASSPHRASE", Passphrase).RunAsync("preview", "-s", "fleet");

        Assert.Equal(ExitCodes.ConfigOrUsage, code);
        Assert.Contains($"error: Pulumi.fleet.yaml:{line}:{column}: llm-platform:gateway.providerKeys.OPENAI_API_KEY: the secure value cannot be decrypted", cli.Err, StringComparison.Ordinal);
        Assert.Contains("`llmctl config set --secret --path gateway.providerKeys.OPENAI_API_KEY <value>`", cli.Err, StringComparison.Ordinal);
        // The other secrets were decrypted to check them: none of them reaches the output.
        var crypter = PassphraseCrypter.FromEncryptionSalt(Passphrase, System.Text.RegularExpressions.Regex.Match(text, "encryptionsalt: (\\S+)").Groups[1].Value);
        foreach (System.Text.RegularExpressions.Match secure in System.Text.RegularExpressions.Regex.Matches(text, "secure: (v1:\\S+)"))
        {
            if (secure.Value.StartsWith(apiKey, StringComparison.Ordinal)) continue;
            var plain = crypter.Decrypt(secure.Groups[1].Value);
            Assert.DoesNotContain(plain, cli.Err + cli.Out, StringComparison.Ordinal);
        }
    }
}
