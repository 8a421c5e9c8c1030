namespace Llmctl.Providers.Command.Tests;

public class KnownHostsTests : CommandTestBase
{
    private static readonly byte[] Key = [1, 2, 3, 4];
    private static readonly byte[] OtherKey = [9, 9, 9, 9];

    [Theory]
    [InlineData("node-1", "node-1", true)]
    [InlineData("node-1,10.0.0.5", "10.0.0.5", true)]
    [InlineData("[node-1]:2222", "[node-1]:2222", true)]
    [InlineData("[node-1]:2222", "node-1", false)]
    [InlineData("*.tailnet.ts.net", "gpu-1.tailnet.ts.net", true)]
    [InlineData("*.tailnet.ts.net,!gpu-2.tailnet.ts.net", "gpu-2.tailnet.ts.net", false)]
    public void Host_patterns_match_like_OpenSSH(string patterns, string host, bool expected) =>
        Assert.Equal(expected, KnownHosts.HostMatches(patterns, host));

    [Fact]
    public void A_recorded_key_matches_while_a_different_key_of_the_same_type_is_changed_and_another_type_is_unknown()
    {
        var path = PathOf("known_hosts");
        KnownHosts.Add(path, "node-1", "ssh-ed25519", Key);
        Assert.Equal(KnownHostVerdict.Match, KnownHosts.Check(path, "node-1", "ssh-ed25519", Key));
        Assert.Equal(KnownHostVerdict.Changed, KnownHosts.Check(path, "node-1", "ssh-ed25519", OtherKey));
        Assert.Equal(KnownHostVerdict.Unknown, KnownHosts.Check(path, "node-1", "ecdsa-sha2-nistp256", OtherKey));
        Assert.Equal(KnownHostVerdict.Unknown, KnownHosts.Check(path, "node-2", "ssh-ed25519", Key));
        Assert.Equal(KnownHostVerdict.Unknown, KnownHosts.Check(PathOf("absent"), "node-1", "ssh-ed25519", Key));
    }

    [Fact]
    public void Environment_values_are_single_quoted_so_the_remote_shell_takes_them_literally() =>
        Assert.Equal("export A='it'\\''s $x'; export B=''; run",
            RemoteRunner.WithEnvironment("run", new Dictionary<string, string> { ["B"] = "", ["A"] = "it's $x" }));
}
