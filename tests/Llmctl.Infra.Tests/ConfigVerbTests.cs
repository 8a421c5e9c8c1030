using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Tests;

/// <summary>One secret-using class: the passphrase's key derivation (1,000,000 PBKDF2 rounds) is slow by design.</summary>
public class ConfigVerbTests
{
    [Fact]
    public async Task Config_set_get_and_rm_edit_the_stack_file()
    {
        using var cli = new CliHarness();
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("config", "set", "kubernetes:context", "lab", "-s", "homelab"));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("config", "get", "kubernetes:context", "-s", "homelab"));
        Assert.Equal("lab", cli.Out.Trim());
        Assert.Contains("# Seed 002", File.ReadAllText(cli.StackFile));
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("config", "rm", "kubernetes:context", "-s", "homelab"));
        Assert.Equal(ExitCodes.Error, await cli.RunAsync("config", "get", "kubernetes:context", "-s", "homelab"));
        Assert.Contains("not found", cli.Err);
    }

    [Fact]
    public async Task A_secret_is_stored_encrypted_listed_as_secret_and_needs_the_right_passphrase()
    {
        using var cli = new CliHarness();
        cli.Env("PULUMI_CONFIG_PASSPHRASE", "correct horse");
        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("config", "set", "--secret", "gateway:masterKey", "sk-very-secret", "-s", "homelab"));
        var file = File.ReadAllText(cli.StackFile);
        Assert.DoesNotContain("sk-very-secret", file);
        Assert.Contains("secure: v1:", file);
        Assert.Contains("encryptionsalt: v1:", file);

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("config", "-s", "homelab"));
        Assert.Contains("[secret]", cli.Out);
        Assert.DoesNotContain("sk-very-secret", cli.Out);

        Assert.Equal(ExitCodes.Ok, await cli.RunAsync("config", "get", "gateway:masterKey", "-s", "homelab"));
        Assert.Equal("sk-very-secret", cli.Out.Trim());

        cli.Env("PULUMI_CONFIG_PASSPHRASE", "wrong");
        Assert.Equal(ExitCodes.ConfigOrUsage, await cli.RunAsync("config", "get", "gateway:masterKey", "-s", "homelab"));
        Assert.Contains("passphrase", cli.Err);
        Assert.DoesNotContain("   at ", cli.Err);
    }
}
