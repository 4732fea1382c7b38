using PromLake.Storage.Compaction;

namespace PromLake.Storage.Tests.Compaction;

public sealed class BlockRefTests
{
    private static readonly long H = new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly long D = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void Reads_back_every_name_the_layout_writes()
    {
        var l0 = Parse(BlockLayout.Level0("a/b", H, 7, 10, 20));
        var hour = Parse(BlockLayout.Hour("a/b", H, 7, 10, 20));
        var day = Parse(BlockLayout.Day("a/b", D, 7, 10, 20));

        Assert.Equal((BlockLevel.Level0, 7, 10L, 20L, H), (l0.Level, l0.Shard, l0.FirstPosition, l0.LastPosition, l0.PartitionStart));
        Assert.Equal((BlockLevel.Hour, H), (hour.Level, hour.PartitionStart));
        Assert.Equal((BlockLevel.Day, D, D + BlockLayout.DayMs), (day.Level, day.PartitionStart, day.PartitionEnd));
        Assert.False(BlockRef.TryParse("t1/2026/11/02/10/notes.txt", "", out _));
        Assert.False(BlockRef.TryParse("t1/2026/13/02/10/l0-s000-1-2.parquet", "", out _));
    }

    [Fact]
    public void A_merged_block_covers_the_blocks_of_its_shard_and_partition_whose_positions_lie_inside_its_range()
    {
        var hour = Parse(BlockLayout.Hour("t", H, 0, 100, 200));
        var day = Parse(BlockLayout.Day("t", D, 0, 100, 900));

        Assert.True(hour.Covers(Parse(BlockLayout.Level0("t", H, 0, 100, 150))));
        Assert.True(hour.Covers(Parse(BlockLayout.Level0("t", H, 0, 100, 200))));
        Assert.False(hour.Covers(Parse(BlockLayout.Level0("t", H, 0, 150, 250))));
        Assert.False(hour.Covers(Parse(BlockLayout.Level0("t", H, 1, 100, 150))));
        Assert.False(hour.Covers(Parse(BlockLayout.Level0("t", H + BlockLayout.HourMs, 0, 100, 150))));
        Assert.False(hour.Covers(Parse(BlockLayout.Day("t", D, 0, 120, 130))));
        Assert.False(hour.Covers(hour));

        Assert.True(day.Covers(Parse(BlockLayout.Hour("t", H, 0, 100, 200))));
        Assert.True(day.Covers(Parse(BlockLayout.Level0("t", D + (23 * BlockLayout.HourMs), 0, 800, 900))));
        Assert.True(day.Covers(Parse(BlockLayout.Day("t", D, 0, 100, 500))));
        Assert.False(day.Covers(Parse(BlockLayout.Level0("t", D + BlockLayout.DayMs, 0, 800, 900))));
        Assert.False(Parse(BlockLayout.Level0("t", H, 0, 1, 1000)).Covers(Parse(BlockLayout.Level0("t", H, 0, 2, 3))));
    }

    private static BlockRef Parse(string name) => BlockRef.TryParse(name, "", out var block) ? block : throw new InvalidOperationException(name);
}
