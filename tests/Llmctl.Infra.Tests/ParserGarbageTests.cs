using Llmctl.Infra.Cli;

namespace Llmctl.Infra.Tests;

public sealed class ParserGarbageTests
{
    [Fact]
    public void A_small_load_is_left_to_the_collector() =>
        Assert.False(ParserGarbage.CollectIfLarge(ParserGarbage.Threshold));

    [Fact]
    public void A_large_load_collects_the_youngest_generation()
    {
        var young = GC.CollectionCount(0);

        Assert.True(ParserGarbage.CollectIfLarge(ParserGarbage.Threshold + 1));

        Assert.True(GC.CollectionCount(0) > young);
    }
}
