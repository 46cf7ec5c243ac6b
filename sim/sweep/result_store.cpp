#include "sim/sweep/result_store.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace systole {

namespace {

const char* const kSchema = R"(
CREATE TABLE IF NOT EXISTS runs(
  hash TEXT PRIMARY KEY, status TEXT NOT NULL, error TEXT, point INTEGER, workload TEXT, batch INTEGER,
  axes TEXT, config TEXT, summary TEXT, finished_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS figures(hash TEXT NOT NULL, name TEXT NOT NULL, value, unit TEXT,
  PRIMARY KEY(hash, name));
CREATE TABLE IF NOT EXISTS layers(hash TEXT NOT NULL, layer INTEGER NOT NULL, name TEXT, columns TEXT,
  PRIMARY KEY(hash, layer));
)";

// A prepared statement, finalized when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &statement_, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& text(int index, const std::string& value) {
    sqlite3_bind_text(statement_, index, value.c_str(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& integer(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_, index, value);
    return *this;
  }
  // A JSON scalar as SQLite's own type: integers, reals, text.
  Statement& value(int index, const nlohmann::json& value) {
    if (value.is_number_integer()) return integer(index, value.get<std::int64_t>());
    if (value.is_number()) {
      sqlite3_bind_double(statement_, index, value.get<double>());
      return *this;
    }
    if (value.is_string()) return text(index, value.get<std::string>());
    return text(index, value.dump());
  }
  // Runs it to the end (statements that return nothing).
  void run() {
    while (step()) {
    }
    reset();
  }
  // Ready to bind and step again.
  void reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  bool step() {
    const int result = sqlite3_step(statement_);
    if (result == SQLITE_ROW) return true;
    if (result == SQLITE_DONE) return false;
    throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db_));
  }
  std::string column_text(int index) const {
    const unsigned char* text = sqlite3_column_text(statement_, index);
    return text ? reinterpret_cast<const char*>(text) : "";
  }
  std::int64_t column_integer(int index) const { return sqlite3_column_int64(statement_, index); }
  nlohmann::json column_value(int index) const {
    switch (sqlite3_column_type(statement_, index)) {
      case SQLITE_INTEGER: return column_integer(index);
      case SQLITE_FLOAT: return sqlite3_column_double(statement_, index);
      case SQLITE_NULL: return nullptr;
      default: return column_text(index);
    }
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

nlohmann::json parse_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json() : nlohmann::json::parse(text, nullptr, false);
}

}  // namespace

ResultStore::ResultStore(const std::string& path, bool create) : path_(path) {
  const int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READWRITE;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string problem = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open the results database '" + path + "': " + problem);
  }
  // A status query may read while the shard's writer commits.
  sqlite3_busy_timeout(db_, 10000);
  try {
    // All the tables or none: a writer killed while creating them leaves an
    // empty file, never a part of the schema.
    exec(std::string("BEGIN;") + kSchema + "COMMIT;");
  } catch (const std::runtime_error& e) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("results database '" + path + "': " + e.what());
  }
}

ResultStore::~ResultStore() { sqlite3_close(db_); }

void ResultStore::exec(const std::string& sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string problem = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("SQLite: " + problem);
  }
}

void ResultStore::put(const StoredRun& run) {
  exec("BEGIN IMMEDIATE");
  try {
    Statement(db_, "DELETE FROM figures WHERE hash = ?1").text(1, run.hash).run();
    Statement(db_, "DELETE FROM layers WHERE hash = ?1").text(1, run.hash).run();
    Statement(db_,
              "INSERT OR REPLACE INTO runs(hash, status, error, point, workload, batch, axes, config, summary, "
              "finished_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, strftime('%Y-%m-%dT%H:%M:%f', 'now'))")
        .text(1, run.hash)
        .text(2, run.status)
        .text(3, run.error)
        .integer(4, static_cast<std::int64_t>(run.point))
        .text(5, run.workload)
        .integer(6, run.batch)
        .text(7, run.axes.dump())
        .text(8, run.config.dump())
        .text(9, run.summary.is_null() ? "" : run.summary.dump())
        .run();
    Statement figure(db_, "INSERT INTO figures(hash, name, value, unit) VALUES(?1, ?2, ?3, ?4)");
    for (const auto& [name, entry] : run.figures)
      figure.text(1, run.hash).text(2, name).value(3, entry.at("value")).text(4, entry.at("unit").get<std::string>()).run();
    Statement layer(db_, "INSERT INTO layers(hash, layer, name, columns) VALUES(?1, ?2, ?3, ?4)");
    for (std::size_t i = 0; i < run.layers.size(); ++i)
      layer.text(1, run.hash)
          .integer(2, static_cast<std::int64_t>(i))
          .text(3, run.layers[i].value("layer", ""))
          .text(4, run.layers[i].dump())
          .run();
    exec("COMMIT");
  } catch (...) {
    exec("ROLLBACK");
    throw;
  }
}

std::vector<std::pair<std::string, std::string>> ResultStore::statuses() const {
  std::vector<std::pair<std::string, std::string>> list;
  Statement query(db_, "SELECT hash, status FROM runs");
  while (query.step()) list.emplace_back(query.column_text(0), query.column_text(1));
  return list;
}

std::size_t ResultStore::merge_from(const std::string& other_path) {
  Statement(db_, "ATTACH DATABASE ?1 AS source").text(1, other_path).run();
  // A shard whose worker was stopped after creating its file but before
  // its tables holds no run.
  bool has_schema = false;
  {
    Statement tables(db_, "SELECT count(*) FROM source.sqlite_master WHERE type = 'table' AND name = 'runs'");
    has_schema = tables.step() && tables.column_integer(0) == 1;
  }
  if (!has_schema) {
    exec("DETACH DATABASE source");
    return 0;
  }
  std::size_t changed = 0;
  try {
    exec("BEGIN IMMEDIATE");
    // A run replaces the one here when it ranks higher: completed above
    // failed, then the later one. The rank orders any two copies the same
    // way, so merging is idempotent and its order does not matter.
    exec(R"(
      CREATE TEMP TABLE incoming AS
        SELECT s.hash FROM source.runs s LEFT JOIN main.runs r ON r.hash = s.hash
        WHERE r.hash IS NULL
           OR (s.status = 'completed') > (r.status = 'completed')
           OR ((s.status = 'completed') = (r.status = 'completed') AND s.finished_at > r.finished_at);
      DELETE FROM main.runs WHERE hash IN (SELECT hash FROM incoming);
      DELETE FROM main.figures WHERE hash IN (SELECT hash FROM incoming);
      DELETE FROM main.layers WHERE hash IN (SELECT hash FROM incoming);
      INSERT INTO main.runs SELECT * FROM source.runs WHERE hash IN (SELECT hash FROM incoming);
      INSERT INTO main.figures SELECT * FROM source.figures WHERE hash IN (SELECT hash FROM incoming);
      INSERT INTO main.layers SELECT * FROM source.layers WHERE hash IN (SELECT hash FROM incoming);
    )");
    {
      Statement count(db_, "SELECT count(*) FROM incoming");
      count.step();
      changed = static_cast<std::size_t>(count.column_integer(0));
    }
    exec("DROP TABLE incoming; COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK; DROP TABLE IF EXISTS temp.incoming", nullptr, nullptr, nullptr);
    exec("DETACH DATABASE source");
    throw;
  }
  exec("DETACH DATABASE source");
  return changed;
}

std::vector<StoredRun> ResultStore::load(const std::set<std::string>& hashes, bool with_layers) const {
  std::vector<StoredRun> runs;
  Statement query(db_,
                  "SELECT hash, status, error, point, workload, batch, axes, config, summary, finished_at FROM runs "
                  "ORDER BY point, workload, hash");
  Statement figures(db_, "SELECT name, value, unit FROM figures WHERE hash = ?1 ORDER BY rowid");
  Statement layers(db_, "SELECT columns FROM layers WHERE hash = ?1 ORDER BY layer");
  while (query.step()) {
    StoredRun run;
    run.hash = query.column_text(0);
    if (!hashes.empty() && !hashes.count(run.hash)) continue;
    run.status = query.column_text(1);
    run.error = query.column_text(2);
    run.point = static_cast<std::uint64_t>(query.column_integer(3));
    run.workload = query.column_text(4);
    run.batch = query.column_integer(5);
    run.axes = parse_or_null(query.column_text(6));
    run.config = parse_or_null(query.column_text(7));
    run.summary = parse_or_null(query.column_text(8));
    run.finished_at = query.column_text(9);
    figures.text(1, run.hash);
    while (figures.step())
      run.figures.emplace_back(figures.column_text(0),
                               nlohmann::json{{"value", figures.column_value(1)}, {"unit", figures.column_text(2)}});
    figures.reset();
    if (with_layers) {
      layers.text(1, run.hash);
      while (layers.step()) run.layers.push_back(parse_or_null(layers.column_text(0)));
      layers.reset();
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace systole
