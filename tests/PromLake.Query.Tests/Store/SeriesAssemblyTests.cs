using PromLake.Query.Model;
using PromLake.Query.Store;
using Block = PromLake.Storage.Series;

namespace PromLake.Query.Tests.Store;

public sealed class SeriesAssemblyTests
{
    [Fact]
    public void Pieces_that_follow_one_another_are_joined_and_cut_to_the_range()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 2000, 3000], [1, 2, 3], strictlyIncreasing: true, 2000, 5000);
        assembly.Add([4000, 5000, 6000], [4, 5, 6], strictlyIncreasing: true, 2000, 5000);

        var samples = assembly.Build(2000, 5000)!;

        Assert.Equal([2000L, 3000, 4000, 5000], samples.Select(s => s.T).ToArray());
        Assert.Equal([2.0, 3, 4, 5], samples.Select(s => s.F).ToArray());
    }

    [Fact]
    public void Overlapping_pieces_keep_the_last_written_sample_of_each_timestamp()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 2000, 3000], [1, 2, 3], strictlyIncreasing: true, 0, 10_000);
        assembly.Add([2000, 4000], [20, 40], strictlyIncreasing: true, 0, 10_000);

        var samples = assembly.Build(0, 10_000)!;

        Assert.Equal([1000L, 2000, 3000, 4000], samples.Select(s => s.T).ToArray());
        Assert.Equal([1.0, 20, 3, 40], samples.Select(s => s.F).ToArray());
    }

    [Fact]
    public void A_log_tail_in_arrival_order_is_sorted_deduplicated_and_cut_to_the_range()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 2000], [1, 2], strictlyIncreasing: true, 1500, 9000);
        assembly.Add([9500, 3000, 2000, 3000], [95, 3, 22, 33], strictlyIncreasing: false, 1500, 9000);

        var samples = assembly.Build(1500, 9000)!;

        Assert.Equal([2000L, 3000], samples.Select(s => s.T).ToArray());
        Assert.Equal([22.0, 33], samples.Select(s => s.F).ToArray());
    }

    [Fact]
    public void A_series_without_samples_in_the_range_builds_nothing()
    {
        var assembly = NewAssembly();
        assembly.Add([1000, 2000], [1, 2], strictlyIncreasing: true, 5000, 9000);

        Assert.Null(assembly.Build(5000, 9000));
    }

    private static SeriesAssembly NewAssembly() =>
        new([new Block.Label("__name__", "up")], Labels.FromStrings("__name__", "up"));
}
