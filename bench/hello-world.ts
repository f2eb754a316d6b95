// The yardstick of bench/api-load.ts: the smallest Express app, on the port given, in its own process.
import express from 'express';

const port = Number(process.argv[2]);
express()
  .get('/', (_req, res) => {
    res.send('hello');
  })
  .listen(port, '127.0.0.1', () => console.log('listening'));
