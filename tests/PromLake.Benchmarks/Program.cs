using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/PromLake.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(PromLake.Benchmarks.WritePathBenchmarks).Assembly).Run(args);
