// The DRAM channel model against the timing formulas of each preset
// (docs/dram.md; values from ../shared/reference/dram.md): unloaded latencies,
// peak and row-miss bandwidth, refresh overhead, and an independent check of
// every issued command against every timing constraint; the commands and
// standby cycles it counts for the DRAM's energy; memspec files, currents
// included.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <random>

#include "models/dram/dram_address_mapping.hpp"
#include "models/dram/dram_controller.hpp"
#include "models/dram/dram_system.hpp"
#include "sim/engine/dram_traffic.hpp"
#include "sim/config/input_error.hpp"
#include "sim/config/memspec.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

// Runs one request on an otherwise idle channel and returns its latency.
std::int64_t latency(DramChannel& channel, const DramLocation& where, bool write = false) {
  static std::uint64_t id = 0;
  channel.enqueue({++id, write, where});
  for (int i = 0; i < 10000; ++i) {
    channel.tick();
    const auto done = channel.take_completions();
    if (!done.empty()) return done.front().done - done.front().arrival;
  }
  FAIL("request never completed");
  return -1;
}

void idle(DramChannel& channel, int cycles) {
  for (int i = 0; i < cycles; ++i) channel.tick();
}

DramTrafficResult stream(const DramSpec& spec, TrafficPattern pattern, std::int64_t requests, bool refresh,
                         double write_fraction = 0, bool open_page = true, bool record = false) {
  DramTrafficOptions options;
  options.pattern = pattern;
  options.requests = requests;
  options.write_fraction = write_fraction;
  options.controller.refresh = refresh;
  options.controller.open_page = open_page;
  options.controller.record_commands = record;
  return run_dram_traffic(spec, options);
}

}  // namespace

TEST_CASE("an address decodes to the fields it was built from, least significant first", "[dram]") {
  // Fields in the mapping's order, each below its extent, and an offset in
  // the burst build the address as mixed-radix digits; decoding must give
  // them back, whether the extents are powers of two (DDR4, LPDDR4 presets)
  // or not (3 channels, 2 ranks, 3000 rows, 48-byte bursts), and for any order.
  DramSpec odd = dram_preset("ddr4-2400");
  odd.rows = 3000;
  odd.burst_bytes = 48;
  odd.bursts_per_row = 20;
  odd.ranks = 2;
  struct Case {
    DramSpec spec;
    int channels;
    std::string order;
  };
  const std::vector<Case> cases = {{dram_preset("ddr4-2400"), 2, "ch,bg,co,ba,ra,ro"},
                                   {dram_preset("lpddr4-3200"), 4, "co,ch,ba,bg,ro,ra"},
                                   {odd, 3, "ch,bg,co,ba,ra,ro"},
                                   {odd, 3, "ro,co,ra,ba,ch,bg"}};
  std::mt19937_64 random(11);
  for (const Case& c : cases) {
    INFO(c.order << ", " << c.channels << " channels, " << c.spec.rows << " rows");
    const DramAddressMapping mapping(c.spec, c.channels, c.order);
    const std::map<std::string, std::int64_t> extents = {
        {"ch", c.channels}, {"bg", c.spec.bank_groups}, {"co", c.spec.bursts_per_row},
        {"ba", c.spec.banks_per_group}, {"ra", c.spec.ranks}, {"ro", c.spec.rows}};
    std::vector<std::string> fields;
    for (std::size_t start = 0; start < c.order.size(); start += 3) fields.push_back(c.order.substr(start, 2));
    const auto build = [&](const std::map<std::string, std::int64_t>& value, std::int64_t offset) {
      std::int64_t address = 0;
      for (auto f = fields.rbegin(); f != fields.rend(); ++f) address = address * extents.at(*f) + value.at(*f);
      return address * c.spec.burst_bytes + offset;
    };
    for (int trial = 0; trial < 2000; ++trial) {
      std::map<std::string, std::int64_t> value;
      for (const auto& [name, extent] : extents) value[name] = static_cast<std::int64_t>(random() % extent);
      const std::int64_t offset = static_cast<std::int64_t>(random() % c.spec.burst_bytes);
      const std::int64_t address = build(value, offset);
      // Another column (and offset) of the row is in the same row; the
      // same column of another channel, rank, bank group, bank or row is not.
      std::map<std::string, std::int64_t> other = value;
      other["co"] = static_cast<std::int64_t>(random() % extents.at("co"));
      const std::int64_t other_offset = static_cast<std::int64_t>(random() % c.spec.burst_bytes);
      REQUIRE(mapping.same_row(address, build(other, other_offset)));
      other = value;
      const std::string moved = std::vector<std::string>{"ch", "bg", "ba", "ra", "ro"}[trial % 5];
      if (extents.at(moved) > 1) {
        other[moved] = (other[moved] + 1 + static_cast<std::int64_t>(random() % (extents.at(moved) - 1))) %
                       extents.at(moved);
        CAPTURE(moved);
        REQUIRE(!mapping.same_row(address, build(other, offset)));
      }
      // An address past the capacity wraps around it.
      const std::int64_t wraps = trial % 3 == 0 ? 2 : 0;
      const DramAddress a = mapping.decode(address + wraps * mapping.capacity_bytes());
      REQUIRE(a.channel == value["ch"]);
      REQUIRE(a.location.bank_group == value["bg"]);
      REQUIRE(a.location.column == value["co"]);
      REQUIRE(a.location.bank == value["ba"]);
      REQUIRE(a.location.rank == value["ra"]);
      REQUIRE(a.location.row == value["ro"]);
    }
  }
}

TEST_CASE("DRAM presets: peak bandwidth is data rate times bus width", "[dram]") {
  // DDR4-2400: 2400 MT/s x 8 B; LPDDR4-3200: 3200 MT/s x 2 B; HBM2: 2 Gb/s x 64 bits.
  CHECK(dram_preset("ddr4-2400").peak_gb_per_s() == Approx(19.2).epsilon(1e-3));
  CHECK(dram_preset("lpddr4-3200").peak_gb_per_s() == Approx(6.4).epsilon(1e-3));
  CHECK(dram_preset("hbm2").peak_gb_per_s() == Approx(16.0).epsilon(1e-3));
  for (const std::string& name : dram_preset_names()) CHECK(dram_spec_problem(dram_preset(name)).empty());
}

TEST_CASE("DRAM unloaded latencies equal their formulas", "[dram][timing]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    const DramTiming& t = spec.t;
    DramControllerConfig config;
    config.refresh = false;
    DramChannel channel(spec, config);
    DramLocation a;
    a.bank_group = spec.bank_groups - 1;
    a.bank = 1 % spec.banks_per_group;
    a.row = 7;
    // Closed row: ACT, tRCD, READ, RL, burst.
    CHECK(latency(channel, a) == t.RCD_RD + t.RL + t.BURST);
    idle(channel, 100);
    // Row hit: READ, RL, burst.
    a.column = 3;
    CHECK(latency(channel, a) == t.RL + t.BURST);
    idle(channel, t.RAS + 100);
    // Row conflict (tRAS long met): PRE, tRP, ACT, tRCD, READ, RL, burst.
    a.row = 8;
    CHECK(latency(channel, a) == t.RP + t.RCD_RD + t.RL + t.BURST);
    idle(channel, 100);
    // Write to the open row: WRITE, WL, burst.
    CHECK(latency(channel, a, /*write=*/true) == t.WL + t.BURST);
  }
}

TEST_CASE("a sequential stream reaches at least 90% of peak bandwidth", "[dram]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    const DramTrafficResult r = stream(spec, TrafficPattern::Sequential, 200000, /*refresh=*/true);
    CHECK(r.gb_per_s >= 0.9 * spec.peak_gb_per_s());
    CHECK(r.gb_per_s <= spec.peak_gb_per_s());
    CHECK(r.totals.row_hits > 0.9 * (r.totals.reads + r.totals.writes));
  }
}

TEST_CASE("refresh costs about tRFC/tREFI of the time", "[dram]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    const DramTiming& t = spec.t;
    const std::int64_t bursts = 400LL * t.REFI / t.BURST;  // about 400 refresh intervals
    const double with = stream(spec, TrafficPattern::Sequential, bursts, true).gb_per_s;
    const double without = stream(spec, TrafficPattern::Sequential, bursts, false).gb_per_s;
    const double loss = 1 - with / without;
    // Each REF blocks the banks for tRFC. Around it the stream also loses at
    // most: waiting for tRAS on the rows just opened, tRP, and reopening a
    // row before data flows again (tRCD + RL + burst).
    CHECK(loss >= 0.95 * t.RFC / t.REFI);
    CHECK(loss <= static_cast<double>(t.RFC + t.RAS + t.RP + t.RCD_RD + t.RL + t.BURST) / t.REFI);
  }
}

TEST_CASE("random row misses are bounded by tFAW and tRRD", "[dram]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    const DramTiming& t = spec.t;
    const DramTrafficResult r = stream(spec, TrafficPattern::Random, 50000, /*refresh=*/false);
    const double tck_s = spec.tck_ps * 1e-12;
    // Nearly every random access opens a row, at most four per tFAW and one
    // per tRRD_S; each activation serves one burst.
    const double activation_rate = std::min(4.0 / t.FAW, 1.0 / t.RRD_S);
    const double bound = activation_rate * spec.burst_bytes / tck_s * 1e-9;
    const double miss_fraction =
        static_cast<double>(r.totals.row_misses + r.totals.row_conflicts) / (r.totals.reads + r.totals.writes);
    CHECK(miss_fraction > 0.95);
    CHECK(r.gb_per_s <= bound / miss_fraction * 1.001);
    CHECK(r.gb_per_s < 0.8 * spec.peak_gb_per_s());
  }
}

namespace {

// Independent checker: replays the command log and tests every constraint;
// returns the number of violations.
int count_violations(const DramSpec& spec, std::vector<DramCommandRecord> log) {
  const DramTiming& t = spec.t;
  std::stable_sort(log.begin(), log.end(), [](const auto& a, const auto& b) { return a.cycle < b.cycle; });
  constexpr std::int64_t kNever = -1000000;
  struct BankHistory {
    int open_row = -1;
    std::int64_t act = kNever, pre = kNever, read = kNever, write = kNever;
  };
  std::map<std::tuple<int, int, int>, BankHistory> banks;
  std::map<std::pair<int, int>, std::int64_t> group_act, group_read, group_write;
  std::map<int, std::vector<std::int64_t>> rank_acts;
  std::map<int, std::int64_t> rank_act, rank_read, rank_write;
  std::int64_t last_ref = kNever;
  std::int64_t bus_busy_until = kNever;
  int bus_rank = -1;
  auto last = [&](std::map<int, std::int64_t>& m, int rank) { return m.count(rank) ? m[rank] : kNever; };
  int violations = 0;
  auto expect = [&](bool ok, const DramCommandRecord& c, const char* rule) {
    if (ok) return;
    if (violations++ < 5) UNSCOPED_INFO(rule << " violated by " << to_string(c.command) << " at " << c.cycle);
  };
  for (const DramCommandRecord& c : log) {
    BankHistory& b = banks[{c.rank, c.bank_group, c.bank}];
    const auto group = std::make_pair(c.rank, c.bank_group);
    switch (c.command) {
      case DramCommand::Activate: {
        expect(b.open_row < 0, c, "ACT to an open bank");
        expect(c.cycle - b.act >= t.RC, c, "tRC");
        expect(c.cycle - b.pre >= t.RP, c, "tRP");
        expect(c.cycle - last_ref >= t.RFC, c, "tRFC");
        expect(c.cycle - last(rank_act, c.rank) >= t.RRD_S, c, "tRRD_S");
        expect(!group_act.count(group) || c.cycle - group_act[group] >= t.RRD_L, c, "tRRD_L");
        auto& acts = rank_acts[c.rank];
        if (acts.size() >= 4) expect(c.cycle - acts[acts.size() - 4] >= t.FAW, c, "tFAW");
        acts.push_back(c.cycle);
        b.open_row = c.row;
        b.act = rank_act[c.rank] = group_act[group] = c.cycle;
        break;
      }
      case DramCommand::Precharge:
        expect(b.open_row >= 0, c, "PRE to a closed bank");
        expect(c.cycle - b.act >= t.RAS, c, "tRAS");
        expect(c.cycle - b.read >= t.RTP, c, "tRTP");
        expect(c.cycle - b.write >= t.WL + t.BURST + t.WR, c, "tWR");
        b.open_row = -1;
        b.pre = c.cycle;
        break;
      case DramCommand::Read:
      case DramCommand::Write: {
        const bool read = c.command == DramCommand::Read;
        expect(b.open_row == c.row, c, "column command to a row that is not open");
        expect(c.cycle - b.act >= (read ? t.RCD_RD : t.RCD_WR), c, "tRCD");
        const std::int64_t last_read = last(rank_read, c.rank), last_write = last(rank_write, c.rank);
        const std::int64_t last_column = std::max(last_read, last_write);
        expect(c.cycle - last_column >= t.CCD_S, c, "tCCD_S");
        const std::int64_t group_column = std::max(group_read.count(group) ? group_read[group] : kNever,
                                                   group_write.count(group) ? group_write[group] : kNever);
        expect(c.cycle - group_column >= t.CCD_L, c, "tCCD_L");
        if (read) {
          expect(c.cycle - last_write >= t.WL + t.BURST + t.WTR_S, c, "tWTR_S");
          expect(!group_write.count(group) || c.cycle - group_write[group] >= t.WL + t.BURST + t.WTR_L, c, "tWTR_L");
        } else {
          expect(c.cycle - last_read >= t.RTW, c, "read-to-write");
        }
        const std::int64_t data_start = c.cycle + (read ? t.RL : t.WL);
        expect(data_start >= bus_busy_until, c, "data bus overlap");
        expect(bus_rank < 0 || bus_rank == c.rank || data_start >= bus_busy_until + t.RTRS, c, "tRTRS");
        bus_busy_until = data_start + t.BURST;
        bus_rank = c.rank;
        (read ? b.read : b.write) = c.cycle;
        (read ? rank_read : rank_write)[c.rank] = c.cycle;
        (read ? group_read : group_write)[group] = c.cycle;
        break;
      }
      case DramCommand::Refresh:
        for (const auto& [key, bank] : banks) {
          expect(bank.open_row < 0, c, "REF with a bank open");
          expect(c.cycle - bank.pre >= t.RP, c, "tRP before REF");
        }
        last_ref = c.cycle;
        break;
    }
  }
  return violations;
}

}  // namespace

TEST_CASE("no issued command violates a timing constraint", "[dram]") {
  for (const std::string& name : dram_preset_names()) {
    for (bool open_page : {true, false}) {
      INFO(name << (open_page ? " open page" : " closed page"));
      const DramSpec spec = dram_preset(name);
      // Mixed reads and writes, random and sequential, over several refreshes.
      const std::int64_t requests = 3LL * spec.t.REFI / spec.t.BURST;
      for (TrafficPattern pattern : {TrafficPattern::Random, TrafficPattern::Sequential}) {
        const DramTrafficResult r = stream(spec, pattern, requests, true, 0.3, open_page, true);
        REQUIRE(r.commands.size() == 1);
        CHECK(r.totals.refreshes >= 1);
        CHECK(count_violations(spec, r.commands[0]) == 0);
        if (open_page && pattern == TrafficPattern::Random) {
          // The checker is not blind: move one ACT a cycle earlier than its
          // bank allows and it must object.
          auto doctored = r.commands[0];
          for (std::size_t i = 1; i < doctored.size(); ++i)
            if (doctored[i].command == DramCommand::Activate && doctored[i - 1].command == DramCommand::Precharge &&
                doctored[i - 1].bank == doctored[i].bank && doctored[i - 1].bank_group == doctored[i].bank_group) {
              doctored[i].cycle = doctored[i - 1].cycle + spec.t.RP - 1;
              break;
            }
          CHECK(count_violations(spec, doctored) > 0);
        }
      }
    }
  }
}

TEST_CASE("two ranks share the data bus with a tRTRS gap", "[dram]") {
  DramSpec spec = dram_preset("ddr4-2400");
  spec.ranks = 2;
  DramTrafficOptions options;
  options.pattern = TrafficPattern::Random;
  options.requests = 20000;
  options.write_fraction = 0.3;
  options.mapping = "ch,ra,bg,co,ba,ro";  // alternate ranks burst by burst
  options.controller.record_commands = true;
  const DramTrafficResult r = run_dram_traffic(spec, options);
  CHECK(count_violations(spec, r.commands[0]) == 0);
  // A controller that ignored tRTRS would be caught.
  DramSpec careless = spec;
  careless.t.RTRS = 0;
  CHECK(count_violations(spec, run_dram_traffic(careless, options).commands[0]) > 0);
}

TEST_CASE("an old request is not starved by row hits", "[dram]") {
  const DramSpec spec = dram_preset("ddr4-2400");
  const DramTiming& t = spec.t;
  DramControllerConfig config;
  config.refresh = false;
  DramChannel channel(spec, config);
  DramLocation open_row;
  open_row.row = 1;
  DramLocation other_row = open_row;
  other_row.row = 2;
  std::uint64_t id = 0;
  channel.enqueue({++id, false, open_row});
  idle(channel, 100);
  const std::uint64_t victim = ++id;
  channel.enqueue({victim, false, other_row});
  std::int64_t victim_latency = -1;
  for (int cycle = 0; cycle < 20000 && victim_latency < 0; ++cycle) {
    while (channel.can_accept()) channel.enqueue({++id, false, open_row});  // a flood of row hits
    channel.tick();
    for (const DramCompletion& c : channel.take_completions())
      if (c.id == victim) victim_latency = c.done - c.arrival;
  }
  // It waits at most starvation_cycles, then the row closes (after the hits
  // already issued drain: tRTP), reopens and is read.
  REQUIRE(victim_latency >= 0);
  CHECK(victim_latency <= config.starvation_cycles + t.RTP + t.RP + t.RCD_RD + t.RL + t.BURST + t.CCD_L);
}

TEST_CASE("DRAMSys memspecs load with their key names", "[dram][inputs]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/ddr4.json", R"({"memspec": {
    "memoryId": "my_ddr4", "memoryType": "DDR4",
    "memarchitecturespec": {"burstLength": 8, "dataRate": 2, "nbrOfBankGroups": 4, "nbrOfBanks": 16,
      "nbrOfColumns": 1024, "nbrOfRanks": 1, "nbrOfRows": 32768, "width": 8, "nbrOfDevices": 8},
    "memtimingspec": {"CL": 16, "WL": 16, "RCD": 16, "RP": 16, "RAS": 39, "RC": 55, "CCD_S": 4, "CCD_L": 6,
      "RRD_S": 4, "RRD_L": 6, "FAW": 26, "WR": 18, "RTP": 12, "WTR_S": 3, "WTR_L": 9, "REFI": 9360,
      "RFC1": 312, "tCK": 833e-12}}})");
  const DramSpec spec = load_memspec(dir + "/ddr4.json");
  const DramSpec preset = dram_preset("ddr4-2400");
  CHECK(spec.name == "my_ddr4");
  CHECK(spec.burst_bytes == preset.burst_bytes);
  CHECK(spec.bursts_per_row == preset.bursts_per_row);
  CHECK(spec.t.RTW == preset.t.RTW);
  CHECK(spec.peak_gb_per_s() == Approx(preset.peak_gb_per_s()).epsilon(1e-3));

  // DRAMSys's HBM2 memspec counts 32 banks in 8 groups over 2 pseudo-channels.
  write_file(dir + "/hbm2.json", R"({"memspec": {"memoryId": "hbm2", "memoryType": "HBM2",
    "memarchitecturespec": {"burstLength": 4, "dataRate": 2, "nbrOfBankGroups": 8, "nbrOfBanks": 32,
      "nbrOfColumns": 32, "nbrOfPseudoChannels": 2, "nbrOfRows": 32768, "width": 64},
    "memtimingspec": {"RL": 17, "WL": 7, "RCDRD": 12, "RCDWR": 6, "RP": 14, "RAS": 28, "RC": 42, "CCDS": 2,
      "CCDL": 3, "RRDS": 4, "RRDL": 6, "FAW": 16, "WR": 14, "RTP": 5, "WTRS": 4, "WTRL": 9, "RTW": 18,
      "REFI": 3900, "RFC": 220, "tCK": 1e-9}}})");
  const DramSpec hbm = load_memspec(dir + "/hbm2.json");
  const DramSpec hbm_preset = dram_preset("hbm2");
  CHECK(hbm.banks() == hbm_preset.banks());
  CHECK(hbm.bank_groups == hbm_preset.bank_groups);
  CHECK(hbm.burst_bytes == hbm_preset.burst_bytes);
  CHECK(hbm.peak_gb_per_s() == Approx(hbm_preset.peak_gb_per_s()));

  write_file(dir + "/bad.json", R"({"memspec": {"memoryType": "DDR4",
    "memarchitecturespec": {"burstLength": 8, "nbrOfBanks": 0, "nbrOfColumns": 1024, "nbrOfRows": 1, "width": 8},
    "memtimingspec": {}}})");
  CHECK_THROWS_WITH(load_memspec(dir + "/bad.json"),
                    Catch::Contains("memarchitecturespec.nbrOfBanks must be between 1 and 1024, got 0"));
  write_file(dir + "/short_ras.json", R"({"memspec": {"memoryType": "DDR4",
    "memarchitecturespec": {"burstLength": 8, "nbrOfBanks": 16, "nbrOfBankGroups": 4, "nbrOfColumns": 1024,
      "nbrOfRows": 32768, "width": 8, "nbrOfDevices": 8},
    "memtimingspec": {"CL": 16, "WL": 16, "RCD": 16, "RP": 16, "RAS": 10, "RC": 55, "CCD_S": 4, "CCD_L": 6,
      "RRD_S": 4, "RRD_L": 6, "FAW": 26, "WR": 18, "RTP": 12, "WTR_S": 3, "WTR_L": 9, "REFI": 9360,
      "RFC1": 312, "tCK": 833e-12}}})");
  CHECK_THROWS_WITH(load_memspec(dir + "/short_ras.json"), Catch::Contains("tRAS (10) is shorter than tRCD (16)"));

  // Values no real part has, each once crashed, hung or was misread: one
  // line naming the field. Each case edits one field of the DDR4 memspec
  // above (as text, so that numbers JSON cannot hold in 64 bits stay).
  const std::string ddr4 = read_file(dir + "/ddr4.json");
  auto with = [&](const std::string& from, const std::string& to) {
    std::string text = ddr4;
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {with("\"dataRate\": 2", "\"dataRate\": 0"), "memarchitecturespec.dataRate must be between 1 and 8, got 0"},
      {with("\"tCK\": 833e-12", "\"tCK\": 1e-16"), "memtimingspec.tCK must be a number between"},
      {with("\"tCK\": 833e-12", "\"tCK\": 1e400"), "not valid JSON"},
      {with("\"burstLength\": 8", "\"burstLength\": 1073741824"),
       "memarchitecturespec.burstLength must be between 1 and 64, got 1073741824"},
      {with("\"RAS\": 39", "\"RAS\": 4294967335"), "memtimingspec.RAS must be between 0 and 10000, got 4294967335"},
      {with("\"RC\": 55", "\"RC\": 2147483647"), "memtimingspec.RC must be between 0 and 10000"},
      {with("\"REFI\": 9360", "\"REFI\": 0"), "memtimingspec.REFI must be between 1 and 1000000, got 0"},
      {with("\"REFI\": 9360", "\"REFI\": 313"), "tREFI (313) must be at least 4 times tRFC (312)"},
      {with("\"FAW\": 26", "\"FAW\": 1000000000"), "memtimingspec.FAW must be between 0 and 10000"},
      {with("\"memoryType\": \"DDR4\"", "\"memoryType\": 4"), "memoryType must be a string"},
  };
  for (const auto& [text, error] : cases) {
    INFO(error);
    write_file(dir + "/case.json", text);
    CHECK_THROWS_WITH(load_memspec(dir + "/case.json"), Catch::Contains(error));
  }
}

TEST_CASE("skipping to the next event issues the same commands as ticking every cycle", "[dram]") {
  // Sparse, bursty traffic leaves many idle cycles between events; a channel
  // that jumps over them must issue every command at the same cycle and end
  // every request at the same cycle as one ticked through them.
  for (const std::string& name : dram_preset_names()) {
    for (bool open_page : {true, false}) {
      INFO(name << (open_page ? " open page" : " closed page"));
      const DramSpec spec = dram_preset(name);
      DramControllerConfig config;
      config.open_page = open_page;
      config.record_commands = true;
      DramChannel ticked(spec, config), skipping(spec, config);
      std::mt19937_64 rng(7);
      std::uniform_int_distribution<int> row(0, 7), column(0, spec.bursts_per_row - 1), bank(0, spec.banks() - 1);
      std::uniform_int_distribution<int> gap(0, 3000), burst_length(1, 24);
      std::vector<std::pair<std::int64_t, DramRequest>> arrivals;  // cycle, request
      std::int64_t cycle = 0;
      std::uint64_t id = 0;
      while (cycle < 4 * spec.t.REFI) {
        cycle += gap(rng);
        for (int n = burst_length(rng); n > 0; --n) {
          DramRequest r{++id, rng() % 4 == 0, {}};
          const int b = bank(rng);
          r.location.bank_group = b / spec.banks_per_group;
          r.location.bank = b % spec.banks_per_group;
          r.location.row = row(rng);
          r.location.column = column(rng);
          arrivals.push_back({cycle, r});
        }
      }
      // Each completion and the cycle it was taken.
      std::vector<std::pair<DramCompletion, std::int64_t>> ticked_done, skipping_done;
      std::size_t next_ticked = 0, next_skipping = 0;
      std::int64_t skipped = 0;
      for (std::int64_t now = 0; ticked_done.size() < arrivals.size() && now < 100 * cycle; ++now) {
        while (next_ticked < arrivals.size() && arrivals[next_ticked].first <= now && ticked.can_accept())
          ticked.enqueue(arrivals[next_ticked++].second);
        ticked.tick();
        for (const DramCompletion& c : ticked.take_completions()) ticked_done.push_back({c, ticked.now()});
      }
      const std::int64_t end = ticked.now() + 100;
      while (ticked.now() < end) ticked.tick();
      while (skipping.now() < end) {
        while (next_skipping < arrivals.size() && arrivals[next_skipping].first <= skipping.now() &&
               skipping.can_accept())
          skipping.enqueue(arrivals[next_skipping++].second);
        std::int64_t to = std::min(skipping.next_event(), end);
        if (next_skipping < arrivals.size()) to = std::min(to, std::max(skipping.now(), arrivals[next_skipping].first));
        if (to > skipping.now()) {
          skipped += to - skipping.now();
          skipping.skip_to(to);
          continue;  // requests may arrive at the cycle skipped to
        }
        skipping.tick();
        for (const DramCompletion& c : skipping.take_completions()) skipping_done.push_back({c, skipping.now()});
      }
      REQUIRE(ticked_done.size() == arrivals.size());
      CHECK(skipped > end / 2);  // the traffic is sparse enough to skip most cycles
      REQUIRE(skipping_done.size() == ticked_done.size());
      for (std::size_t i = 0; i < ticked_done.size(); ++i) {
        INFO("completion " << i);
        CHECK(skipping_done[i].first.id == ticked_done[i].first.id);
        CHECK(skipping_done[i].first.done == ticked_done[i].first.done);
        CHECK(skipping_done[i].first.arrival == ticked_done[i].first.arrival);
        CHECK(skipping_done[i].second == ticked_done[i].second);
      }
      const auto& a = ticked.commands();
      const auto& b = skipping.commands();
      REQUIRE(a.size() == b.size());
      std::size_t differing = 0;
      for (std::size_t i = 0; i < a.size(); ++i)
        differing += a[i].cycle != b[i].cycle || a[i].command != b[i].command || a[i].bank != b[i].bank ||
                     a[i].bank_group != b[i].bank_group || a[i].row != b[i].row;
      CHECK(differing == 0);
      // And it counts the same commands, and every cycle it jumped over in
      // the standby state the ticked one was in.
      const DramChannelStats &x = ticked.stats(), &y = skipping.stats();
      CHECK(x.refreshes == y.refreshes);
      CHECK(x.activates == y.activates);
      CHECK(x.precharges == y.precharges);
      CHECK(x.active_standby_cycles == y.active_standby_cycles);
      CHECK(x.precharge_standby_cycles == y.precharge_standby_cycles);
      CHECK(y.active_standby_cycles + y.precharge_standby_cycles == end);
      CHECK(y.active_standby_cycles > 0);
      CHECK(y.precharge_standby_cycles > 0);
    }
  }
}

TEST_CASE("the channel counts its commands and standby cycles as derived by hand", "[dram][energy]") {
  const DramSpec spec = dram_preset("ddr4-2400");
  const DramTiming& t = spec.t;
  DramControllerConfig config;
  config.refresh = false;
  std::uint64_t id = 0;
  auto read = [&](int bank, int row, int column) {
    DramRequest r{++id, false, {}};
    r.location.bank = bank;
    r.location.row = row;
    r.location.column = column;
    return r;
  };

  SECTION("open page: a row change closes the bank for tRP, the last row stays open") {
    DramChannel channel(spec, config);
    idle(channel, 100);
    // Two bursts from each of three rows of one bank, queued at cycle 100:
    // ACT (cycle 100), RD, RD; PRE, ACT, RD, RD; PRE, ACT, RD, RD.
    for (int row = 1; row <= 3; ++row)
      for (int column = 0; column < 2; ++column) channel.enqueue(read(0, row, column));
    idle(channel, 1900);
    REQUIRE(channel.take_completions().size() == 6);
    const DramChannelStats& s = channel.stats();
    CHECK(s.activates == 3);
    CHECK(s.precharges == 2);
    CHECK(s.reads == 6);
    CHECK(s.writes == 0);
    CHECK(s.refreshes == 0);
    // Each PRE comes tRAS after its row's ACT (the reads' tRTP ends sooner)
    // and the next ACT tRC after it, i.e. tRP after the PRE: the bank is
    // closed for cycles 0-99 and twice tRP cycles.
    CHECK(s.precharge_standby_cycles == 100 + 2 * t.RP);
    CHECK(s.active_standby_cycles == 2000 - 100 - 2 * t.RP);
  }

  SECTION("closed page: a row is open until its auto-precharge takes effect") {
    config.open_page = false;
    DramChannel channel(spec, config);
    channel.enqueue(read(0, 1, 0));  // ACT at 0, RD at tRCD
    idle(channel, 500);
    DramRequest write = read(1, 1, 0);
    write.write = true;
    channel.enqueue(write);  // ACT at 500, WR at 500 + tRCD
    idle(channel, 500);
    const DramChannelStats& s = channel.stats();
    CHECK(s.activates == 2);
    CHECK(s.precharges == 2);  // RDA and WRA
    CHECK(s.reads == 1);
    CHECK(s.writes == 1);
    // RDA precharges at max(tRAS, tRCD + tRTP) = max(39, 28) after the ACT;
    // WRA at max(tRAS, tRCD + WL + tBURST + tWR) = max(39, 54).
    REQUIRE(t.RAS >= t.RCD_RD + t.RTP);
    REQUIRE(t.RCD_WR + t.WL + t.BURST + t.WR > t.RAS);
    const std::int64_t active = t.RAS + t.RCD_WR + t.WL + t.BURST + t.WR;
    CHECK(s.active_standby_cycles == active);
    CHECK(s.precharge_standby_cycles == 1000 - active);
  }
}

TEST_CASE("an activate holds its channel's row timings until the longest of tRC, tRRD and tFAW has passed",
          "[dram]") {
  // Each timing in turn the longest: the channel must wait for that one.
  struct Longest {
    const char* name;
    int DramTiming::*timing;
  };
  for (const Longest longest : {Longest{"tRC", &DramTiming::RC}, Longest{"tFAW", &DramTiming::FAW},
                                Longest{"tRRD_L", &DramTiming::RRD_L}, Longest{"tRRD_S", &DramTiming::RRD_S}}) {
    INFO(longest.name);
    DramSpec spec = dram_preset("ddr4-2400");
    spec.t.RC = spec.t.FAW = spec.t.RRD_L = spec.t.RRD_S = 3;
    spec.t.*longest.timing = 90;
    DramControllerConfig config;
    config.refresh = false;
    DramChannel channel(spec, config);
    CHECK_FALSE(channel.row_timings_pending());
    DramRequest read{1, false, {}};
    read.location.row = 5;
    channel.enqueue(read);
    channel.tick();  // ACT at cycle 0
    REQUIRE(channel.stats().activates == 1);
    while (channel.now() < 89) {
      CHECK(channel.row_timings_pending());
      channel.tick();
    }
    CHECK(channel.row_timings_pending());
    channel.tick();
    CHECK(channel.now() == 90);
    CHECK_FALSE(channel.row_timings_pending());
  }
}

TEST_CASE("a stream of row hits repeats while its activates' timings still run, with the open-page policy",
          "[dram]") {
  // One row per bank group, read a burst per group in turn as a DRAM
  // system queues them, the queue kept full. Soon after the four ACTs
  // (tRC = 55 cycles), a period of four bursts repeats the one before it:
  // no request wants a row command, so tRC, tRRD and tFAW hold nothing back
  // and the bursts do not move them. With the closed-page policy each
  // burst's auto-precharge moves them: no period repeats while they run.
  for (bool open_page : {true, false}) {
    INFO((open_page ? "open page" : "closed page"));
    const DramSpec spec = dram_preset("ddr4-2400");
    DramControllerConfig config;
    config.refresh = false;
    config.open_page = open_page;
    DramChannel channel(spec, config);
    std::uint64_t next_id = 0;
    const auto fill = [&] {
      for (; channel.can_accept(); ++next_id) {
        DramRequest read{next_id, false, {}};
        read.location.bank_group = static_cast<int>(next_id % 4);
        read.location.column = static_cast<int>(next_id / 4 % 128);
        read.location.row = 7;
        channel.enqueue(read);
      }
    };
    // The channel as it was at each of the last `period` cycles.
    const std::int64_t period = 4 * std::max(spec.t.CCD_S, spec.t.BURST);
    std::deque<DramChannel> earlier;
    bool repeated_while_pending = false;
    while (channel.row_timings_pending() || channel.stats().activates < 4) {
      fill();
      channel.tick();
      channel.take_completions();
      if (static_cast<std::int64_t>(earlier.size()) == period) {
        repeated_while_pending |= channel.stats().activates == 4 && channel.repeats(earlier.front());
        earlier.pop_front();
      }
      earlier.push_back(channel);
    }
    CHECK(channel.now() > period);
    CHECK(repeated_while_pending == open_page);
  }
}

TEST_CASE("refreshes: one REF per rank each tREFI, active standby for its tRFC", "[dram][energy]") {
  DramSpec spec = dram_preset("ddr4-2400");
  spec.ranks = 2;
  const DramTiming& t = spec.t;
  // An idle channel refreshes at cycles tREFI, 2·tREFI, ...: after N cycles
  // floor((N - 1) / tREFI) times. One read opens a row of rank 0 at cycle
  // 0; the first refresh closes it with a PRE at tREFI and refreshes both
  // ranks tRP later; the others come on time, with every bank closed.
  const std::int64_t cycles = 3LL * t.REFI + t.RFC + 10;
  DramControllerConfig config;
  DramChannel ticked(spec, config), skipping(spec, config);
  for (DramChannel* channel : {&ticked, &skipping}) channel->enqueue({1, false, {}});
  while (ticked.now() < cycles) ticked.tick();
  while (skipping.now() < cycles) {
    const std::int64_t next = std::min(skipping.next_event(), cycles);
    if (next > skipping.now())
      skipping.skip_to(next);
    else
      skipping.tick();
  }
  for (DramChannel* channel : {&ticked, &skipping}) {
    const DramChannelStats& s = channel->stats();
    CHECK(s.refreshes == 3 * 2);
    CHECK(s.activates == 1);
    CHECK(s.precharges == 1);
    CHECK(s.reads == 1);
    // Rank 0 is active from the ACT to the PRE, each rank for tRFC per REF.
    CHECK(s.active_standby_cycles == t.REFI + 3 * 2 * t.RFC);
    CHECK(s.active_standby_cycles + s.precharge_standby_cycles == 2 * cycles);
  }
  const std::vector<DramCommandRecord> log = [&] {
    DramControllerConfig recording = config;
    recording.record_commands = true;
    DramChannel channel(spec, recording);
    channel.enqueue({1, false, {}});
    while (channel.now() < cycles) channel.tick();
    return channel.commands();
  }();
  std::vector<std::int64_t> refreshes;
  for (const DramCommandRecord& c : log)
    if (c.command == DramCommand::Refresh && c.rank == 0) refreshes.push_back(c.cycle);
  CHECK(refreshes == std::vector<std::int64_t>{t.REFI + t.RP, 2LL * t.REFI, 3LL * t.REFI});
}

TEST_CASE("a DRAM system's standby cycles add up to channels × ranks × the cycles advanced", "[dram][energy]") {
  for (const std::string& name : dram_preset_names()) {
    INFO(name);
    const DramSpec spec = dram_preset(name);
    DramSystem system(spec, 3);
    const std::int64_t tck_fs = std::llround(spec.tck_ps * 1000);
    // Reads and writes of a few tiles, advanced in uneven steps that leave
    // idle stretches for the system to jump over.
    const std::uint64_t a = system.transfer(0, 10000, false);
    const std::uint64_t b = system.transfer(1 << 20, 3000, true);
    std::int64_t time = 0;
    for (int step = 0; step < 400; ++step) {
      time += (step % 7 + 1) * 123457;
      system.advance_to(time);
    }
    time += 30LL * spec.t.REFI * tck_fs;  // idle: only refreshes
    system.advance_to(time);
    REQUIRE(system.done(a));
    REQUIRE(system.done(b));
    const DramChannelStats s = system.stats();
    CHECK(s.active_standby_cycles + s.precharge_standby_cycles == 3 * spec.ranks * (time / tck_fs));
    // 10000 bytes from 0 and 3000 from 1 MiB, in bursts.
    CHECK(s.reads == (10000 + spec.burst_bytes - 1) / spec.burst_bytes);
    CHECK(s.writes == (3000 + spec.burst_bytes - 1) / spec.burst_bytes);
    CHECK(s.activates > 0);
    // Each channel refreshed once per tREFI, within one of the intervals.
    const std::int64_t intervals = time / tck_fs / spec.t.REFI;
    CHECK(s.refreshes >= 3 * spec.ranks * (intervals - 1));
    CHECK(s.refreshes <= 3 * spec.ranks * intervals);
  }
}

TEST_CASE("a DRAM system jumping from event to event sees each transfer end when one advanced cycle by cycle does",
          "[dram]") {
  // Transfers of random sizes and places start at random times on two
  // systems. One is advanced one DRAM cycle at a time; the other, as the
  // DRAM's process runs it while the array sleeps, only to each time
  // next_event_fs() names (which leaves out data that ends no transfer).
  // Each transfer must be seen done first at the same time by both, with
  // the same bytes moved and the same count of finished transfers.
  for (int channels : {1, 3}) {
    INFO(channels << " channel(s)");
    const DramSpec spec = dram_preset("ddr4-2400");
    const std::int64_t tck_fs = std::llround(spec.tck_ps * 1000);
    DramSystem stepped(spec, channels), jumping(spec, channels);
    std::mt19937_64 random(11);
    struct Seen {
      std::int64_t time_fs = -1, bytes = -1;
      std::uint64_t finished = 0;
    };
    std::vector<Seen> by_stepped, by_jumping;
    std::vector<std::uint64_t> ids;
    const auto look = [&](DramSystem& system, std::vector<Seen>& seen, std::int64_t time_fs) {
      for (std::size_t t = 0; t < ids.size(); ++t)
        if (seen[t].time_fs < 0 && system.done(ids[t]))
          seen[t] = {time_fs, system.bytes_moved_by(time_fs), system.transfers_finished()};
    };
    std::int64_t time = 0;
    std::int64_t jumps = 0;
    for (int transfer = 0; transfer <= 60; ++transfer) {
      // Some start while others are in flight, some after a quiet spell.
      const std::int64_t start = time + static_cast<std::int64_t>(random() % (transfer % 5 == 0 ? 40000 : 300)) * tck_fs;
      for (std::int64_t t = (time / tck_fs + 1) * tck_fs; t <= start; t += tck_fs) {
        stepped.advance_to(t);
        look(stepped, by_stepped, t);
      }
      stepped.advance_to(start);
      while (true) {
        const std::int64_t next = jumping.next_event_fs();
        if (next > start) break;
        jumping.run_ahead_to(next);
        look(jumping, by_jumping, next);
        ++jumps;
      }
      jumping.advance_to(start);
      if (transfer == 60) break;
      const std::int64_t bytes = 64 * static_cast<std::int64_t>(1 + random() % 200) - static_cast<std::int64_t>(random() % 64);
      const std::int64_t address = static_cast<std::int64_t>(random() % (1 << 22)) * 64;
      const bool write = random() % 4 == 0;
      ids.push_back(stepped.transfer(address, bytes, write));
      REQUIRE(jumping.transfer(address, bytes, write) == ids.back());
      by_stepped.emplace_back();
      by_jumping.emplace_back();
      time = start;
    }
    const std::int64_t cycles = time / tck_fs;
    CHECK(jumps < cycles / 2);  // it jumped over most cycles
    for (std::size_t t = 0; t < ids.size(); ++t) {
      INFO("transfer " << t);
      REQUIRE(by_stepped[t].time_fs >= 0);
      CHECK(by_jumping[t].time_fs == by_stepped[t].time_fs);
      CHECK(by_jumping[t].bytes == by_stepped[t].bytes);
      CHECK(by_jumping[t].finished == by_stepped[t].finished);
    }
    check_stats_equal(jumping.stats(), stepped.stats());
  }
}

namespace {

struct TransferStart {
  std::int64_t address = 0, bytes = 0;
  bool write = false;
};

struct JumpedBursts {
  std::int64_t bursts = 0;  // of every transfer
  std::int64_t asleep = 0, awake = 0;  // jumped over
  std::int64_t drained_asleep = 0, drained_awake = 0;
  std::int64_t handovers_asleep = 0, handovers_awake = 0;
};

// Forty rounds of transfers (round_transfers starts each round's), with
// quiet spells between (every fourth up to 3000 DRAM cycles, the others up
// to `short_spell`), on three systems keeping their history. One is
// advanced one DRAM cycle at a time. One runs as the DRAM's process runs
// it while the array sleeps (models/dram/dram.cpp): event by event with
// run_ahead_through, which jumps over the periods of a steady stream,
// waking when a transfer finishes; then, awake, it is asked about the past
// as the observers ask. One runs as the memory controller runs it while
// the array is awake: advance_through the end of every accelerator cycle
// (1 ns), which jumps ahead of its readers, asked then how many bytes have
// moved and which transfers are done, and every 211th cycle and after each
// jump its statistics; the transfers start on it after such a tick, often
// at a time it has jumped over. Each transfer must be seen done at the same
// time, and the statistics, bursts and bytes moved by every 7th cycle must
// be the stepped system's.
JumpedBursts check_jumps_against_stepped(const DramSpec& spec, const DramControllerConfig& config,
                                         const std::function<std::vector<TransferStart>(std::mt19937_64&)>& round_transfers,
                                         std::uint64_t short_spell = 200) {
  const std::int64_t tck_fs = std::llround(spec.tck_ps * 1000);
  DramSystem stepped(spec, 1, config), sleeping(spec, 1, config), awake(spec, 1, config);
  stepped.keep_history();
  sleeping.keep_history();
  awake.keep_history();
  constexpr std::int64_t kAcceleratorCycleFs = 1000000;
  std::int64_t accelerator_cycle_end = kAcceleratorCycleFs;
  std::mt19937_64 random(5);
  struct Past {
    std::int64_t time_fs;
    DramChannelStats stats;
    std::int64_t bytes;
  };
  std::vector<std::int64_t> by_stepped, by_sleeping;  // the time each transfer was seen done
  std::vector<std::int64_t> by_stepped_ticks, by_awake;  // ... at the accelerator's cycle ends
  std::vector<std::uint64_t> ids;
  std::vector<Past> past;  // the stepped system's, by every 7th cycle not yet asked of the other
  const auto look = [&](const DramSystem& system, std::vector<std::int64_t>& seen, std::int64_t time_fs) {
    for (std::size_t t = 0; t < ids.size(); ++t)
      if (seen[t] < 0 && system.done(ids[t])) seen[t] = time_fs;
  };
  const auto tick_awake = [&](std::int64_t end_fs) {
    stepped.advance_to(end_fs);
    look(stepped, by_stepped_ticks, end_fs);
    const std::int64_t jumped_before = awake.bursts_jumped();
    awake.advance_through(end_fs);
    look(awake, by_awake, end_fs);
    INFO("by " << end_fs << " fs");
    // Asked of every cycle: a check only where they differ.
    const std::int64_t moved = awake.bytes_moved_by(end_fs);
    if (moved != stepped.bytes_moved_by(end_fs)) REQUIRE(moved == stepped.bytes_moved_by(end_fs));
    // As an observer's windows of cycles end (readers at the present
    // every cycle would let the DRAM drop its history each time), and
    // right after a jump, from where its history must start.
    if (end_fs / kAcceleratorCycleFs % 211 != 0 && awake.bursts_jumped() == jumped_before) return;
    const DramChannelStats stats = awake.stats_by(end_fs), expected = stepped.stats_by(end_fs);
    if (!stats_equal(stats, expected)) check_stats_equal(stats, expected);
    const std::vector<std::int64_t> channel_bursts = awake.channel_bursts_by(end_fs);
    if (channel_bursts != stepped.channel_bursts_by(end_fs))
      CHECK(channel_bursts == stepped.channel_bursts_by(end_fs));
  };
  std::int64_t time = 0, bursts = 0;
  for (int round = 0; round <= 40; ++round) {
    // The last spell is long enough for every transfer to finish.
    const std::int64_t gap = round == 40 ? 3 * bursts * spec.t.BURST + 100000
                                         : static_cast<std::int64_t>(random() % (round % 4 == 0 ? 3000 : short_spell));
    const std::int64_t start = time + gap * tck_fs;
    for (std::int64_t t = (time / tck_fs + 1) * tck_fs; t <= start; t += tck_fs) {
      for (; accelerator_cycle_end <= t; accelerator_cycle_end += kAcceleratorCycleFs)
        tick_awake(accelerator_cycle_end);
      stepped.advance_to(t);
      look(stepped, by_stepped, t);
      if (t / tck_fs % 7 == 0) past.push_back({t, stepped.stats_by(t), stepped.bytes_moved_by(t)});
    }
    stepped.advance_to(start);
    awake.advance_through(start);
    while (true) {
      const std::int64_t next = sleeping.next_event_fs();
      if (next > start) break;
      const std::int64_t reached = sleeping.run_ahead_through(next, start);
      REQUIRE(reached >= next);
      REQUIRE(reached <= start);
      if (sleeping.take_finished_transfers()) {
        REQUIRE(reached == next);  // the sleeper wakes where the transfer finished
        look(sleeping, by_sleeping, next);
      }
    }
    sleeping.advance_to(start);
    for (const Past& p : past) {
      INFO("by " << p.time_fs / tck_fs << " cycles");
      check_stats_equal(sleeping.stats_by(p.time_fs), p.stats);
      CHECK(sleeping.channel_bursts_by(p.time_fs).front() == p.stats.reads + p.stats.writes);
      CHECK(sleeping.bytes_moved_by(p.time_fs) == p.bytes);
    }
    past.clear();
    if (round == 40) break;
    for (const auto& [address, bytes, write] : round_transfers(random)) {
      ids.push_back(stepped.transfer(address, bytes, write));
      REQUIRE(sleeping.transfer(address, bytes, write) == ids.back());
      REQUIRE(awake.transfer(address, bytes, write) == ids.back());
      by_stepped.push_back(-1);
      by_sleeping.push_back(-1);
      by_stepped_ticks.push_back(-1);
      by_awake.push_back(-1);
      bursts += bytes / spec.burst_bytes;
    }
    time = start;
  }
  for (std::size_t t = 0; t < ids.size(); ++t) {
    INFO("transfer " << t);
    REQUIRE(by_stepped[t] >= 0);
    CHECK(by_sleeping[t] == by_stepped[t]);
    REQUIRE(by_stepped_ticks[t] >= 0);
    CHECK(by_awake[t] == by_stepped_ticks[t]);
  }
  check_stats_equal(sleeping.stats(), stepped.stats());
  check_stats_equal(awake.stats(), stepped.stats());
  JumpedBursts jumped;
  jumped.bursts = bursts;
  jumped.asleep = sleeping.bursts_jumped();
  jumped.awake = awake.bursts_jumped();
  jumped.drained_asleep = sleeping.bursts_drained();
  jumped.drained_awake = awake.bursts_drained();
  jumped.handovers_asleep = sleeping.handovers();
  jumped.handovers_awake = awake.handovers();
  return jumped;
}

}  // namespace

TEST_CASE("a DRAM system jumping through steady streams of bursts moves, counts and remembers what one stepped does",
          "[dram]") {
  // Long runs of transfers, most following on from the last, some
  // elsewhere, some writes, some two at a time.
  std::vector<std::pair<std::string, DramSpec>> specs;
  for (const std::string& preset : dram_preset_names()) specs.emplace_back(preset, dram_preset(preset));
  specs.emplace_back("ddr4-2400, two ranks", dram_preset("ddr4-2400"));
  specs.back().second.ranks = 2;
  // Row timings of hundreds of cycles: a transfer may wait a whole round
  // for its activate, with no command after the readers were given the
  // present; and streams run long while their activates' timings still
  // hold their banks, groups and rank.
  specs.emplace_back("ddr4-2400, row timings of hundreds of cycles", dram_preset("ddr4-2400"));
  DramTiming& slow = specs.back().second.t;
  slow.RAS = 300;
  slow.RC = slow.RAS + slow.RP;
  slow.RRD_S = 200;
  slow.RRD_L = 220;
  slow.FAW = 700;
  for (const auto& [preset, spec] : specs)
    for (bool open_page : {true, false}) {
      INFO(preset << (open_page ? ", open page" : ", closed page"));
      DramControllerConfig config;
      config.open_page = open_page;
      std::int64_t address = 0;
      int round = 0;
      const JumpedBursts jumped = check_jumps_against_stepped(spec, config, [&](std::mt19937_64& random) {
        std::vector<TransferStart> starts;
        for (int both = 0; both <= (round % 5 == 2 ? 1 : 0); ++both) {
          if (random() % 5 == 0) address = static_cast<std::int64_t>(random() % (1 << 20)) * 64;
          const std::int64_t bytes = 64 * static_cast<std::int64_t>(1 + random() % 1500);
          starts.push_back({address, bytes, random() % 6 == 0});
          address += bytes;
        }
        ++round;
        return starts;
      });
      INFO(jumped.asleep << " (asleep) and " << jumped.awake << " (awake) of " << jumped.bursts
                         << " bursts jumped over");
      // DDR4's streams, a burst per bank group in turn, are jumped over for
      // the most part.
      if (preset == "ddr4-2400" && open_page) {
        CHECK(jumped.asleep > jumped.bursts / 3);
        CHECK(jumped.awake > jumped.bursts / 3);
        INFO(jumped.drained_asleep << " bursts of tails drained asleep");
        CHECK(jumped.drained_asleep > 0);
      }
      // Awake, a transfer may start at any tick: tails are stepped.
      CHECK(jumped.drained_awake == 0);
    }
}

TEST_CASE("the rows after a stream jumped over while its activates' timings ran open when a stepped DRAM's do",
          "[dram]") {
  // Rows open a few cycles apart in the four bank groups, but tRRD_L, tFAW,
  // tRAS and tRC run for hundreds of cycles; short transfers each to rows
  // not open yet. A stream is jumped over, tail and all, while those
  // timings of the activates that opened its rows still run, and the next
  // transfer's activates wait for them. They stay where they were through
  // the jump (DramChannel::move_on); moved on with it, they would hold the
  // next rows back too long.
  DramSpec spec = dram_preset("ddr4-2400");
  spec.t.RAS = 300;
  spec.t.RC = spec.t.RAS + spec.t.RP;
  spec.t.RRD_L = 300;
  spec.t.FAW = 700;
  const std::int64_t row_bytes = std::int64_t{64} << 11;  // bursts: bank group (2 bits), column (7), bank (2)
  const JumpedBursts jumped = check_jumps_against_stepped(
      spec, {},
      [&](std::mt19937_64& random) {
        const std::int64_t row = static_cast<std::int64_t>(random() % 4096);
        return std::vector<TransferStart>{{row * row_bytes, 64 * static_cast<std::int64_t>(64 + random() % 192), false}};
      },
      /*short_spell=*/1500);
  INFO(jumped.asleep << " (asleep) and " << jumped.awake << " (awake) of " << jumped.bursts << " bursts jumped over");
  CHECK(jumped.drained_asleep > 0);
}

TEST_CASE("a DRAM system hands a stream over to the transfers queued behind it as one stepped does", "[dram]") {
  // As a fold's tiles are read: a long transfer (filters, say) and a
  // shorter one from elsewhere (the ifmap) start together, each following
  // on from its own last; now and then a write-back goes with them. The
  // first's steady stream is jumped over while the second's bursts queue
  // behind it, where their rows are open.
  for (const std::string& preset : dram_preset_names()) {
    INFO(preset);
    std::int64_t filters = std::int64_t{1} << 26, ifmap = 0, writes = std::int64_t{3} << 25;
    int round = 0;
    const JumpedBursts jumped =
        check_jumps_against_stepped(dram_preset(preset), {}, [&](std::mt19937_64& random) {
          const std::int64_t filter_bytes = 64 * static_cast<std::int64_t>(64 + random() % 512);
          // After the longest spells, a few bursts only, all queued in the
          // handover when the DRAM caught up.
          const std::int64_t ifmap_bytes =
              64 * static_cast<std::int64_t>(round % 4 == 0 ? 1 + random() % 24 : 32 + random() % 256);
          std::vector<TransferStart> starts = {{filters, filter_bytes, false}, {ifmap, ifmap_bytes, false}};
          filters += filter_bytes;
          ifmap += ifmap_bytes;
          if (round++ % 4 == 2) {
            const std::int64_t write_bytes = 64 * static_cast<std::int64_t>(16 + random() % 128);
            starts.insert(starts.begin() + static_cast<std::ptrdiff_t>(random() % 3), {writes, write_bytes, true});
            writes += write_bytes;
          }
          return starts;
        },
        /*short_spell=*/2000);
    INFO(jumped.handovers_asleep << " (asleep) and " << jumped.handovers_awake << " (awake) handovers; "
                                 << jumped.asleep << " and " << jumped.awake << " of " << jumped.bursts
                                 << " bursts jumped over");
    if (preset == "ddr4-2400") {
      CHECK(jumped.handovers_asleep > 0);
      CHECK(jumped.handovers_awake > 0);
    }
  }
}

TEST_CASE("a transfer started at a time a handover jumped over queues behind the bursts left to queue", "[dram]") {
  // A long stream in bank 0 with 6 bursts behind it in bank 1, whose row an
  // earlier read left open: awake, the DRAM hands the stream over to them
  // in a jump past the present, leaving the last of them to queue. A third
  // transfer then starts at the next accelerator cycle, in the past of the
  // DRAM: it must finish when it does on a DRAM stepped cycle by cycle.
  // (Six: with the stream's bursts left to queue when the jump is found,
  // those pending make whole periods, so only that rule keeps one back.)
  const DramSpec spec = dram_preset("ddr4-2400");
  DramSystem stepped(spec, 1), awake(spec, 1);
  const std::int64_t bank_bytes = std::int64_t{64} << 9;  // bursts: bank group (2 bits), column (7), then bank
  const std::int64_t row_bytes = bank_bytes * spec.banks_per_group;
  std::vector<std::uint64_t> ids;
  const auto start = [&](std::int64_t address, std::int64_t bytes) {
    ids.push_back(stepped.transfer(address, bytes, false));
    REQUIRE(awake.transfer(address, bytes, false) == ids.back());
  };
  constexpr std::int64_t kAcceleratorCycleFs = 1000000;
  std::int64_t end_fs = 0;
  std::vector<std::int64_t> by_stepped, by_awake;
  const auto tick = [&] {
    end_fs += kAcceleratorCycleFs;
    stepped.advance_to(end_fs);
    awake.advance_through(end_fs);
    by_stepped.resize(ids.size(), -1);
    by_awake.resize(ids.size(), -1);
    for (std::size_t t = 0; t < ids.size(); ++t) {
      if (by_stepped[t] < 0 && stepped.done(ids[t])) by_stepped[t] = end_fs;
      if (by_awake[t] < 0 && awake.done(ids[t])) by_awake[t] = end_fs;
    }
  };
  start(bank_bytes, 256);  // opens row 0 of bank 1
  while (!stepped.done(ids.back())) tick();
  start(5 * row_bytes, 400 * 64);
  start(bank_bytes + 256, 6 * 64);
  while (awake.handovers() == 0 && !stepped.done(ids.back())) tick();
  REQUIRE(awake.handovers() == 1);
  tick();
  start(7 * row_bytes, 64 * 64);
  while (!stepped.done(ids.back())) tick();
  for (int spell = 0; spell < 1000; ++spell) tick();
  for (std::size_t t = 0; t < ids.size(); ++t) {
    INFO("transfer " << t);
    CHECK(by_awake[t] == by_stepped[t]);
  }
  check_stats_equal(awake.stats(), stepped.stats());
}

TEST_CASE("a DRAM system run ahead through jumps tells the statistics of any cycle asked, round after round",
          "[dram]") {
  // Each round a long stream. The DRAM runs ahead of its readers as while
  // the array sleeps, until a transfer finishes or the sleep's deadline,
  // then is asked about cycles up to there, 1 to 300 cycles apart, and so
  // on: the history drops what it was asked about, jumps' entries too, and
  // later jumps reuse their storage.
  const DramSpec spec = dram_preset("ddr4-2400");
  const std::int64_t tck_fs = std::llround(spec.tck_ps * 1000);
  DramSystem stepped(spec, 1), sleeping(spec, 1);
  stepped.keep_history();
  sleeping.keep_history();
  std::mt19937_64 random(3);
  std::int64_t now_fs = 0, asked_fs = 0, bursts = 0;
  for (int round = 0; round < 6; ++round) {
    INFO("round " << round);
    const std::int64_t bytes = 64 * (4000 + 1000 * round);
    bursts += bytes / 64;
    const std::uint64_t id = stepped.transfer(round * (1 << 22), bytes, round == 2);
    REQUIRE(sleeping.transfer(round * (1 << 22), bytes, round == 2) == id);
    bool done = false;
    while (!done) {
      const std::int64_t deadline_fs = now_fs + static_cast<std::int64_t>(50 + random() % 3000) * tck_fs;
      std::int64_t wake_fs = deadline_fs;
      for (std::int64_t next = sleeping.next_event_fs(); next <= deadline_fs; next = sleeping.next_event_fs()) {
        sleeping.run_ahead_through(next, deadline_fs);
        if (sleeping.take_finished_transfers()) {
          wake_fs = next;
          done = true;
          break;
        }
      }
      sleeping.advance_to(wake_fs);
      // The readers catch up with it: the wake's time is asked last.
      while (asked_fs < wake_fs) {
        const std::int64_t t =
            std::min(wake_fs, asked_fs + tck_fs * static_cast<std::int64_t>(1 + random() % 2000));
        stepped.advance_to(t);
        const DramChannelStats expected = stepped.stats_by(t), told = sleeping.stats_by(t);
        if (!stats_equal(told, expected)) {
          INFO("by DRAM cycle " << t / tck_fs);
          check_stats_equal(told, expected);
          return;
        }
        asked_fs = t;
      }
      now_fs = wake_fs;
    }
    CHECK(stepped.done(id));
  }
  INFO(sleeping.bursts_jumped() << " of " << bursts << " bursts jumped over");
  CHECK(sleeping.bursts_jumped() > bursts / 2);
  check_stats_equal(sleeping.stats(), stepped.stats());
}

TEST_CASE("a DRAM system advanced through every accelerator cycle tells each one's statistics, jumps and all",
          "[dram]") {
  // As the memory controller advances it while the array is awake and the
  // energy of every cycle is asked (--sample 1): each jump leaves it ahead
  // of its readers, with a history of the jump's start and the jump.
  const DramSpec spec = dram_preset("ddr4-2400");
  DramSystem stepped(spec, 1), awake(spec, 1);
  stepped.keep_history();
  awake.keep_history();
  constexpr std::int64_t kAcceleratorCycleFs = 1000000;
  std::int64_t end_fs = 0, bursts = 0;
  for (int round = 0; round < 4; ++round) {
    INFO("round " << round);
    const std::int64_t bytes = 64 * (3000 + 1000 * round);
    bursts += bytes / 64;
    const std::uint64_t id = stepped.transfer(round * (1 << 22), bytes, false);
    REQUIRE(awake.transfer(round * (1 << 22), bytes, false) == id);
    while (!stepped.done(id)) {
      end_fs += kAcceleratorCycleFs;
      stepped.advance_to(end_fs);
      awake.advance_through(end_fs);
      const DramChannelStats expected = stepped.stats_by(end_fs), told = awake.stats_by(end_fs);
      if (!stats_equal(told, expected)) {
        INFO("by " << end_fs / kAcceleratorCycleFs << " accelerator cycles");
        check_stats_equal(told, expected);
        return;
      }
    }
  }
  INFO(awake.bursts_jumped() << " of " << bursts << " bursts jumped over");
  CHECK(awake.bursts_jumped() > bursts / 2);
}

TEST_CASE("a DRAM system holds the bookkeeping of the transfers in flight, not of every transfer", "[dram][memory]") {
  const DramSpec spec = dram_preset("ddr4-2400");
  DramSystem system(spec, 2);
  const std::int64_t tck_fs = std::llround(spec.tck_ps * 1000);
  // 2,000 tiles of 4 KB, read and written in turns, four in flight at a
  // time, and a zero-byte transfer among them (done at once).
  constexpr int kTransfers = 2000;
  std::vector<std::uint64_t> issued;
  std::int64_t time = 0;
  std::size_t held = 0;
  for (int t = 0; t < kTransfers; ++t) {
    issued.push_back(system.transfer(static_cast<std::int64_t>(t) * 4096, t == 7 ? 0 : 4096, t % 2 == 1));
    if (t == 7) CHECK(system.done(issued.back()));
    while (issued.size() >= 4 && !system.done(issued[issued.size() - 4])) {
      time += 100 * tck_fs;
      system.advance_to(time);
    }
    held = std::max(held, system.transfers_held());
  }
  time += 100000 * tck_fs;
  system.advance_to(time);
  for (const std::uint64_t id : issued) CHECK(system.done(id));
  CHECK(system.stats().reads + system.stats().writes == (kTransfers - 1) * 4096 / spec.burst_bytes);
  // Transfers finish in about the order they were issued: what is held
  // stays near the four in flight.
  CHECK(held <= 16);
  CHECK(system.transfers_held() == 0);
  CHECK_THROWS_AS(system.done(kTransfers), std::out_of_range);
}

namespace {

// A DRAMSys memspec of `type` with the DDR4-2400 architecture and timings
// and `power` as its mempowerspec (none when empty).
std::string memspec(const std::string& type, const std::string& power) {
  const bool lpddr4 = type == "LPDDR4";
  const std::string arch =
      lpddr4 ? R"("burstLength": 16, "dataRate": 2, "nbrOfBanks": 8, "nbrOfColumns": 1024, "nbrOfRows": 65536,
                 "width": 16, "nbrOfDevices": 1)"
             : R"("burstLength": 8, "dataRate": 2, "nbrOfBankGroups": 4, "nbrOfBanks": 16, "nbrOfColumns": 1024,
                 "nbrOfRows": 32768, "width": 8, "nbrOfDevices": 8)";
  const std::string timing =
      lpddr4 ? R"("RL": 28, "WL": 14, "RCD": 29, "RPpb": 29, "RAS": 68, "RCpb": 97, "CCD": 8, "RRD": 16,
                 "FAW": 64, "WR": 29, "RTP": 12, "WTR": 16, "REFI": 6246, "RFCab": 448, "DQSCK": 6,
                 "tCK": 625e-12)"
             : R"("CL": 16, "WL": 16, "RCD": 16, "RP": 16, "RAS": 39, "RC": 55, "CCD_S": 4, "CCD_L": 6,
                 "RRD_S": 4, "RRD_L": 6, "FAW": 26, "WR": 18, "RTP": 12, "WTR_S": 3, "WTR_L": 9,
                 "REFI": 9360, "RFC1": 312, "tCK": 833e-12)";
  return R"({"memspec": {"memoryId": "m", "memoryType": ")" + type + R"(",
    "memarchitecturespec": {)" + arch + R"(}, "memtimingspec": {)" + timing + "}" +
         (power.empty() ? "" : R"(, "mempowerspec": {)" + power + "}") + "}}";
}

// The mempowerspecs of DRAMSys's configs/memspec/JEDEC_4Gb_DDR4-2400_8bit_A.json
// and JEDEC_8Gb_LPDDR4-3200_16bit.json as DRAMSys 5 writes them (amperes)
// and as DRAMSys 4 did (milliamperes, other names), and HBM2.json's zeros.
const std::string kDdr4Amperes = R"("vdd": 1.2, "idd0": 60.75e-3, "idd2n": 38.25e-3, "idd3n": 44.0e-3,
  "idd4r": 184.5e-3, "idd4w": 168.75e-3, "idd6n": 20.25e-3, "idd2p": 17.0e-3, "idd3p": 22.5e-3,
  "vpp": 2.5, "ipp0": 4.05e-3, "ipp2n": 0, "ipp3n": 0, "ipp4r": 0, "ipp4w": 0, "ipp6n": 2.6e-3,
  "ipp2p": 17.0e-3, "ipp3p": 22.5e-3, "idd5B": 118.0e-3, "ipp5B": 0.0, "idd5F2": 0.0, "ipp5F2": 0.0,
  "idd5F4": 0.0, "ipp5F4": 0.0, "vddq": 0.0, "iBeta_vdd": 60.75e-3, "iBeta_vpp": 4.05e-3)";
const std::string kDdr4Milliamperes = R"("idd0": 60.75, "idd02": 4.05, "idd2n": 38.25, "idd2p0": 17.0,
  "idd2p1": 17.0, "idd3n": 44.0, "idd3p0": 22.5, "idd3p1": 22.5, "idd4r": 184.5, "idd4w": 168.75,
  "idd5": 118.0, "idd6": 20.25, "idd62": 2.6, "vdd": 1.2, "vdd2": 2.5)";
const std::string kLpddr4Amperes = R"("idd01": 3.5e-3, "idd02": 45.0e-3, "idd0ql": 0.75e-3,
  "idd2n1": 2.0e-3, "idd2n2": 27.0e-3, "idd2nQ": 0.75e-3, "idd3n1": 2.25e-3, "idd3n2": 30.0e-3,
  "idd3nQ": 0.75e-3, "idd4r1": 2.25e-3, "idd4r2": 275.0e-3, "idd4rq": 150.0e-3, "idd4w1": 2.25e-3,
  "idd4w2": 210.0e-3, "idd4wq": 55.0e-3, "idd51": 10.0e-3, "idd52": 90.0e-3, "idd5ab1": 2.5e-3,
  "idd5ab2": 30.0e-3, "idd5abq": 0.75e-3, "vdd1": 1.8, "vdd2": 1.1, "vddq": 1.1)";
const std::string kLpddr4Milliamperes = R"("idd0": 3.5, "idd02": 45.0, "idd0ql": 0.75, "idd2n": 2.0,
  "idd2n2": 27.0, "idd2nQ": 0.75, "idd3n": 2.25, "idd3n2": 30.0, "idd3nQ": 0.75, "idd4r": 2.25,
  "idd4r2": 275.0, "idd4rq": 150.0, "idd4w": 2.25, "idd4w2": 210.0, "idd4wq": 55.0, "idd5": 10.0,
  "idd52": 90.0, "idd5ab": 2.5, "idd5ab2": 30.0, "idd5b": 2.5, "idd5b2": 30.0, "vdd": 1.8, "vdd2": 1.1,
  "vddq": 1.1)";
const std::string kHbm2Zeros = R"("vdd": 1.2, "idd0": 0, "idd2n": 0, "idd3n": 0, "idd4r": 0, "idd4w": 0,
  "idd6n": 0, "idd2p": 0, "idd3p": 0, "vpp": 2.5, "ipp0": 0, "ipp2n": 0, "ipp3n": 0, "ipp4r": 0, "ipp4w": 0,
  "ipp6n": 0, "ipp2p": 0, "ipp3p": 0, "idd5b": 0, "idd5bpb": 0, "ipp5b": 0, "ipp5bpb": 0, "vddq": 1.2,
  "iBeta_vdd": 1, "iBeta_vpp": 1)";

void check_same_power(const DramPower& a, const DramPower& b) {
  CHECK(a.devices == b.devices);
  REQUIRE(a.rails.size() == b.rails.size());
  for (std::size_t r = 0; r < a.rails.size(); ++r) {
    INFO("rail " << a.rails[r].name);
    CHECK(a.rails[r].name == b.rails[r].name);
    CHECK(a.rails[r].volts == Approx(b.rails[r].volts));
    CHECK(a.rails[r].idd0 == Approx(b.rails[r].idd0));
    CHECK(a.rails[r].idd2n == Approx(b.rails[r].idd2n));
    CHECK(a.rails[r].idd3n == Approx(b.rails[r].idd3n));
    CHECK(a.rails[r].idd4r == Approx(b.rails[r].idd4r));
    CHECK(a.rails[r].idd4w == Approx(b.rails[r].idd4w));
    CHECK(a.rails[r].idd5b == Approx(b.rails[r].idd5b));
  }
}

}  // namespace

TEST_CASE("memspec currents load in amperes or milliamperes, as the presets have them", "[dram][inputs]") {
  const std::string dir = make_temp_dir();
  auto load = [&](const std::string& type, const std::string& power) {
    write_file(dir + "/m.json", memspec(type, power));
    return load_memspec(dir + "/m.json");
  };
  for (const std::string* power : {&kDdr4Amperes, &kDdr4Milliamperes}) {
    const DramSpec spec = load("DDR4", *power);
    REQUIRE(spec.power);
    check_same_power(*spec.power, *dram_preset("ddr4-2400").power);
  }
  for (const std::string* power : {&kLpddr4Amperes, &kLpddr4Milliamperes}) {
    const DramSpec spec = load("LPDDR4", *power);
    REQUIRE(spec.power);
    check_same_power(*spec.power, *dram_preset("lpddr4-3200").power);
  }
  CHECK_FALSE(load("DDR4", kHbm2Zeros).power);
  CHECK_FALSE(load("DDR4", "").power);
}

TEST_CASE("memspec currents out of range are refused with one line naming the field", "[dram][inputs]") {
  const std::string dir = make_temp_dir();
  auto with = [](const std::string& text, const std::string& from, const std::string& to) {
    std::string edited = text;
    const std::size_t at = edited.find(from);
    REQUIRE(at != std::string::npos);
    return edited.replace(at, from.size(), to);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      // Milliamperes where amperes belong, and the other way round.
      {with(kDdr4Amperes, "\"idd0\": 60.75e-3", "\"idd0\": 60.75"),
       "mempowerspec.idd0 must be between 0 and 10 A, as in a memspec without idd5, got 60.75"},
      {with(kDdr4Milliamperes, "\"idd0\": 60.75", "\"idd0\": 0.06075"),
       "mempowerspec.idd0 must be between 1 and 10000 mA, as in a memspec with idd5, got 0.06075"},
      {with(kDdr4Amperes, "\"idd4r\": 184.5e-3", "\"idd4r\": 30e-3"),
       "mempowerspec.idd4r (0.03) is below idd3n (0.044): a read would cost negative energy"},
      {with(kDdr4Milliamperes, "\"idd5\": 118.0", "\"idd5\": 40"),
       "mempowerspec.idd5 (40) is below idd3n (44): a refresh would cost negative energy"},
      {with(kDdr4Amperes, "\"vdd\": 1.2", "\"vdd\": 0"), "mempowerspec.vdd must be between 0.1 and 5 V, got 0"},
      {with(kDdr4Amperes, "\"ipp0\": 4.05e-3,", ""), "missing mempowerspec.ipp0"},
      {with(kLpddr4Amperes, "\"idd2n2\": 27.0e-3", "\"idd2n2\": \"27\""),
       "mempowerspec.idd2n2 must be between 0 and 10 A"},
  };
  for (const auto& [power, error] : cases) {
    INFO(error);
    write_file(dir + "/case.json", memspec(power.find("vdd1") != std::string::npos ? "LPDDR4" : "DDR4", power));
    CHECK_THROWS_WITH(load_memspec(dir + "/case.json"), Catch::Contains(error));
  }
}
