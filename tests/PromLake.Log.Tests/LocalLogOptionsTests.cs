namespace PromLake.Log.Tests;

public sealed class LocalLogOptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        var options = new LocalLogOptions();

        options.Validate();

        Assert.Equal(".data/log", options.Directory);
        Assert.Equal(4, options.ShardCount);
        Assert.Equal(64 << 20, 1L << options.SegmentSizeBits);
    }

    [Theory]
    [InlineData(nameof(LocalLogOptions.Directory), " ")]
    [InlineData(nameof(LocalLogOptions.ShardCount), 0)]
    [InlineData(nameof(LocalLogOptions.ShardCount), 1001)]
    [InlineData(nameof(LocalLogOptions.PageSizeBits), 11)]
    [InlineData(nameof(LocalLogOptions.PageSizeBits), 29)]
    [InlineData(nameof(LocalLogOptions.SegmentSizeBits), 21)]
    [InlineData(nameof(LocalLogOptions.SegmentSizeBits), 41)]
    [InlineData(nameof(LocalLogOptions.MemorySizeBits), 22)]
    [InlineData(nameof(LocalLogOptions.MemorySizeBits), 41)]
    public void A_bad_setting_is_named_in_the_error(string setting, object value)
    {
        var options = new LocalLogOptions();
        typeof(LocalLogOptions).GetProperty(setting)!.SetValue(options, value);

        var error = Assert.Throws<InvalidOperationException>(options.Validate);

        Assert.StartsWith($"PromLake:Log:{setting} ", error.Message);
    }
}
