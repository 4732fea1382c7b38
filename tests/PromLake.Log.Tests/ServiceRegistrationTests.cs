using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PromLake.Log.Tests;

public sealed class ServiceRegistrationTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Options_are_bound_from_PromLake_Log_and_one_log_serves_as_publisher_and_reader()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromLake:Log:Directory"] = _directory.Path,
            ["PromLake:Log:ShardCount"] = "3",
            ["PromLake:Log:PageSizeBits"] = "12",
            ["PromLake:Log:SegmentSizeBits"] = "16",
            ["PromLake:Log:MemorySizeBits"] = "14",
        }).Build();
        var services = new ServiceCollection().AddPromLakeLocalLog(configuration);

        await using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();

        var log = provider.GetRequiredService<LocalFileLog>();
        Assert.Same(log, provider.GetRequiredService<ILogPublisher>());
        Assert.Same(log, provider.GetRequiredService<ILogReader>());
        Assert.Equal(3, log.ShardCount);
        Assert.Equal(Path.GetFullPath(_directory.Path), log.RootDirectory);
        Assert.IsType<LocalCheckpointStore>(provider.GetRequiredService<ICheckpointStore>());

        await provider.GetRequiredService<ILogPublisher>().PublishAsync(2, TestLog.Events("through DI"));
        var batch = await provider.GetRequiredService<ILogReader>().ReadAsync(2, LogPosition.Start, 10, TimeSpan.Zero);
        Assert.Equal(["through DI"], batch.Records.Select(TestLog.Text));
    }

    [Fact]
    public async Task Options_can_be_set_in_code()
    {
        var services = new ServiceCollection().AddPromLakeLocalLog(options =>
        {
            options.Directory = _directory.Path;
            options.ShardCount = 1;
        });

        await using var provider = services.BuildServiceProvider();

        Assert.Equal(1, provider.GetRequiredService<ILogReader>().ShardCount);
    }

    [Fact]
    public async Task Invalid_options_fail_at_start_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PromLake:Log:Directory"] = _directory.Path,
            ["PromLake:Log:ShardCount"] = "0",
        }).Build();

        await using var provider = new ServiceCollection().AddPromLakeLocalLog(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("PromLake:Log:ShardCount", error.Message);
    }
}
