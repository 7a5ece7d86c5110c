// Offline queue of job steps for the technician app: kept in IndexedDB (photos as Blobs), one store per
// user, in the order the steps were taken (auto-increment key). Falls back to localStorage (without photos).
(function () {
  "use strict";
  var DB_NAME = "sigap-tech";
  var STORE = "steps";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var store = request.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
        store.createIndex("client_id", "client_id", { unique: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function idbQueue(user) {
    var dbPromise = openDb();
    function run(mode, work) {
      return dbPromise.then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction(STORE, mode);
          var result;
          work(tx.objectStore(STORE), function (value) { result = value; });
          tx.oncomplete = function () { resolve(result); };
          tx.onerror = function () { reject(tx.error); };
          tx.onabort = function () { reject(tx.error); };
        });
      });
    }
    return {
      add: function (item) {
        item.user = user;
        return run("readwrite", function (store, done) {
          var req = store.add(item);
          req.onsuccess = function () { done(req.result); };
        });
      },
      all: function () {
        return run("readonly", function (store, done) {
          var req = store.getAll();
          req.onsuccess = function () {
            done(req.result.filter(function (item) { return item.user === user; }));
          };
        });
      },
      remove: function (seq) {
        return run("readwrite", function (store) { store.delete(seq); });
      }
    };
  }

  function localQueue(user) {
    var key = "sigap-tech-steps-" + user;
    function read() {
      try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
    }
    function write(items) { window.localStorage.setItem(key, JSON.stringify(items)); }
    return {
      add: function (item) {
        var items = read();
        var seq = items.length ? items[items.length - 1].seq + 1 : 1;
        item.seq = seq;
        item.user = user;
        delete item.photo;
        items.push(item);
        write(items);
        return Promise.resolve(seq);
      },
      all: function () { return Promise.resolve(read()); },
      remove: function (seq) {
        write(read().filter(function (item) { return item.seq !== seq; }));
        return Promise.resolve();
      }
    };
  }

  window.SigapQueue = {
    open: function (user) {
      if (window.indexedDB) {
        return openDb().then(function () { return idbQueue(user); }, function () { return localQueue(user); });
      }
      return Promise.resolve(localQueue(user));
    }
  };
}());
