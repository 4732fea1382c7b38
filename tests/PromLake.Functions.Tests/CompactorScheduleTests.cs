using System.Reflection;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;

namespace PromLake.Functions.Tests;

/// <summary>The timer's schedule comes from an app setting, and the documented example sets it to the default.</summary>
public sealed class CompactorScheduleTests
{
    [Fact]
    public void The_timer_schedule_is_the_PromLake_Compactor_Schedule_setting()
    {
        var trigger = typeof(CompactorFunction).GetMethod(nameof(CompactorFunction.RunAsync))!
            .GetParameters().Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).Single(t => t is not null)!;

        Assert.Equal("%PromLake:Compactor:Schedule%", trigger.Schedule);
        Assert.False(trigger.RunOnStartup);
    }

    [Fact]
    public void The_example_settings_give_the_schedule_and_the_block_store()
    {
        var path = Path.Combine(RepositoryRoot(), "src", "PromLake.Functions", "local.settings.example.json");
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var values = json.RootElement.GetProperty("Values");

        // App settings spell the configuration key's ':' as '__'.
        Assert.Equal(CompactorFunction.DefaultSchedule, values.GetProperty("PromLake__Compactor__Schedule").GetString());
        Assert.Equal(6, CompactorFunction.DefaultSchedule.Split(' ').Length);
        Assert.True(values.TryGetProperty("PromLake__Storage__ContainerName", out _));
        Assert.True(values.TryGetProperty("PromLake__Storage__ConnectionString", out _));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Functions.sln above {AppContext.BaseDirectory}");
    }
}
