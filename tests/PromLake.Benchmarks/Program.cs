using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/PromLake.Benchmarks -- --filter '*'
// dotnet run -c Release --project tests/PromLake.Benchmarks -- bytes-per-sample   (Storage/BytesPerSampleCommand.cs)
// dotnet run -c Release --project tests/PromLake.Benchmarks -- bytes-by-family    (Storage/FamilyBytesCommand.cs)
// dotnet run -c Release --project tests/PromLake.Benchmarks -- merge-memory       (Storage/MergeMemoryCommand.cs)
if (args.Length > 0 && args[0] == "bytes-per-sample")
{
    return await PromLake.Benchmarks.Storage.BytesPerSampleCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "bytes-by-family")
{
    return await PromLake.Benchmarks.Storage.FamilyBytesCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "merge-memory")
{
    return await PromLake.Benchmarks.Storage.MergeMemoryCommand.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(PromLake.Benchmarks.WritePathBenchmarks).Assembly).Run(args);
return 0;
