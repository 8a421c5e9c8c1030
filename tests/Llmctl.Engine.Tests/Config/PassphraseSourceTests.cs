using Llmctl.Engine.Config;
using Llmctl.Engine.Config.Secrets;

namespace Llmctl.Engine.Tests.Config;

public sealed class PassphraseSourceTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    private static Func<string, string?> Env(params (string Key, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Key == name).Value;

    [Fact]
    public void The_passphrase_variable_wins_over_the_file()
    {
        File.WriteAllText(_file, "from-file");
        var env = Env(("PULUMI_CONFIG_PASSPHRASE", "from-env"), ("PULUMI_CONFIG_PASSPHRASE_FILE", _file));
        Assert.Equal("from-env", PassphraseSource.Read(env));
    }

    [Fact]
    public void An_empty_passphrase_variable_is_an_empty_passphrase()
    {
        Assert.Equal("", PassphraseSource.Read(Env(("PULUMI_CONFIG_PASSPHRASE", ""))));
    }

    [Fact]
    public void The_passphrase_file_is_read_without_its_trailing_newline()
    {
        File.WriteAllText(_file, "hunter2\n");
        Assert.Equal("hunter2", PassphraseSource.Read(Env(("PULUMI_CONFIG_PASSPHRASE_FILE", _file))));
    }

    [Fact]
    public void Without_either_variable_the_error_names_both()
    {
        var e = Assert.Throws<SecretDecryptionException>(() => PassphraseSource.Read(Env(), "homelab"));
        Assert.Equal("stack 'homelab' has encrypted config; passphrase must be set with PULUMI_CONFIG_PASSPHRASE or " +
                     "PULUMI_CONFIG_PASSPHRASE_FILE environment variables", e.Message);
    }

    [Fact]
    public void An_unreadable_passphrase_file_is_reported_with_its_path()
    {
        var missing = _file + ".missing";
        var e = Assert.Throws<SecretDecryptionException>(() => PassphraseSource.Read(Env(("PULUMI_CONFIG_PASSPHRASE_FILE", missing))));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
